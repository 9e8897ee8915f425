package io.rpcboot.core.rpc;

import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Virtual workers are refused, naming the setting, where the JDK has no virtual threads (Java 17-20). */
class ServerConfigVirtualThreadsTests {

    @Test
    void virtualThreadsAreRefusedBeforeJava21AndTakenFromIt() {
        int java = Runtime.version().feature();
        ServerConfig.Builder config = ServerConfig.builder().virtualThreads(true);
        if (java < 21) {
            assertThatIllegalArgumentException().isThrownBy(config::build)
                    .withMessage("virtualThreads needs Java 21 or later, this is Java " + java + "; was true");
        } else {
            assertThat(config.build().virtualThreads()).isTrue();
        }
        assertThat(ServerConfig.builder().build().virtualThreads()).as("off by default").isFalse();
    }
}
