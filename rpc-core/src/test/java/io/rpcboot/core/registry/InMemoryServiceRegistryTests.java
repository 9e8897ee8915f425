package io.rpcboot.core.registry;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class InMemoryServiceRegistryTests extends ServiceRegistryContract {

    @Override
    protected ServiceRegistry newRegistry() {
        return new InMemoryServiceRegistry();
    }

    @Test
    void staticSeedsApplyToEveryVersionAndGroupOfTheirInterface() {
        InMemoryServiceRegistry seeded = new InMemoryServiceRegistry().seed(GREETER.interfaceName(),
                List.of("127.0.0.1:7070", "[::1]:7071"));
        assertThat(seeded.instances(GREETER)).extracting(ServiceInstance::address)
                .containsExactly("127.0.0.1:7070", "[::1]:7071");
        assertThat(seeded.instances(GREETER_V2)).hasSize(2);
        assertThatIllegalArgumentException().isThrownBy(() -> seeded.seed("x", List.of("no-port")))
                .withMessage("'no-port' is not host:port");
    }
}
