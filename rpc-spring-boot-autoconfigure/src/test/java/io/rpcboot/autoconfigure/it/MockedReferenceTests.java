package io.rpcboot.autoconfigure.it;

import io.rpcboot.autoconfigure.ImportRpcServices;
import io.rpcboot.autoconfigure.RpcServiceCatalog;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Service;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;

/** A consumer's test replaces its reference bean with a Mockito mock: no provider, no connection. */
@SpringBootTest(classes = MockedReferenceTests.ConsumerApp.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {"rpc.client.io-threads=1", "spring.main.banner-mode=off"})
class MockedReferenceTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @ImportRpcServices(types = Hello.class)
    @Import(Welcome.class)
    static class ConsumerApp {
    }

    /** What the application builds on its reference. */
    @Service
    static class Welcome {
        private final Hello hello;

        Welcome(Hello hello) {
            this.hello = hello;
        }

        String welcome(String name) {
            return hello.hello(name).toUpperCase();
        }
    }

    @MockitoBean
    Hello hello;

    @Autowired
    Welcome welcome;

    @Autowired
    RpcServiceCatalog catalog;

    @Test
    void theMockAnswersInPlaceOfTheRemoteService() {
        given(hello.hello("ada")).willReturn("hi ada");
        assertThat(welcome.welcome("ada")).isEqualTo("HI ADA");
        assertThat(Mockito.mockingDetails(hello).isMock()).isTrue();
        Mockito.verify(hello).hello("ada");
        assertThat(catalog.references()).as("no proxy was made for the replaced bean").isEmpty();
    }
}
