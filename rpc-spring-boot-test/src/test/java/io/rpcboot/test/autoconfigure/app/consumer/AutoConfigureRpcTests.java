package io.rpcboot.test.autoconfigure.app.consumer;

import io.rpcboot.test.autoconfigure.app.Quotes;

import io.rpcboot.test.autoconfigure.AutoConfigureRpc;
import io.rpcboot.test.autoconfigure.RpcStub;

import io.rpcboot.core.server.RpcServer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A consumer's test: the whole application, its reference answered by a stub the test declares,
 * over the in-process transport; the static instances of application.properties are not used.
 */
@SpringBootTest(properties = {"rpc.registry.instances.[io.rpcboot.test.autoconfigure.app.Quotes]=127.0.0.1:1",
        "spring.main.banner-mode=off"})
@AutoConfigureRpc
@Import(AutoConfigureRpcTests.Stubs.class)
class AutoConfigureRpcTests {

    @TestConfiguration
    static class Stubs {
        @Bean
        RpcStub<Quotes> quotes() {
            return RpcStub.of(Quotes.class, symbol -> "stub " + symbol);
        }
    }

    @Autowired
    Ticker ticker;

    @Autowired
    RpcServer server;

    @Autowired
    org.springframework.context.ApplicationContext context;

    @Test
    void theApplicationsReferenceReachesTheStubInProcess() throws Exception {
        // the static instance (127.0.0.1:1, nothing there) is not used: every call reaches the stub
        for (int i = 0; i < 5; i++) {
            assertThat(ticker.tick("RPC")).isEqualTo("stub RPC");
        }
        assertThat(context.getBeansOfType(RpcStub.class)).as("stub beans").hasSize(1);
        assertThat(server.inProcess()).isTrue();
        assertThat(server.services()).singleElement().satisfies(d -> assertThat(d.interfaceClass()).isEqualTo(Quotes.class));
    }
}
