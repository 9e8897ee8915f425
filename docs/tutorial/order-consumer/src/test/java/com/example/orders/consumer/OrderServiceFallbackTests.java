package com.example.orders.consumer;

import java.net.ServerSocket;

import com.example.orders.api.OrderService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.server.ResponseStatusException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

// tag::test[]
/** No provider listens where the registry says: the fallback answers, the controller keeps the reference. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class OrderServiceFallbackTests {

    @DynamicPropertySource
    static void nobodyListens(DynamicPropertyRegistry registry) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // free, and closed again before the test calls it
        }
        registry.add("rpc.registry.instances.[com.example.orders.api.OrderService]", () -> "127.0.0.1:" + port);
    }

    @Autowired
    OrderController controller;

    @Autowired
    OrderService orders;

    @Test
    void theFallbackAnswersWhenNoProviderCan() {
        assertThat(orders).isNotInstanceOf(OrderServiceFallback.class);
        assertThat(controller.recent(5).join()).isEmpty();
        assertThatExceptionOfType(ResponseStatusException.class).isThrownBy(() -> controller.find(7))
                .satisfies(e -> assertThat(e.getStatusCode().value()).isEqualTo(503));
    }
}
// end::test[]
