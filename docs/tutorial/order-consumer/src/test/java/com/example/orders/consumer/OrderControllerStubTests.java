package com.example.orders.consumer;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.example.orders.api.Order;
import com.example.orders.api.OrderNotFoundException;
import com.example.orders.api.OrderService;
import com.example.orders.api.OrderStatus;
import com.example.orders.api.PlaceOrder;
import io.rpcboot.test.autoconfigure.AutoConfigureRpc;
import io.rpcboot.test.autoconfigure.RpcStub;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

// tag::test[]
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@AutoConfigureRpc                       // in process, no port; a registry of this test only
@Import(OrderControllerStubTests.Stubs.class)
class OrderControllerStubTests {

    @TestConfiguration
    static class Stubs {
        @Bean
        RpcStub<OrderService> orders() {  // answers the application's OrderService reference
            return RpcStub.of(OrderService.class, new OneOrder());
        }
    }

    static class OneOrder implements OrderService {
        final Order seven = new Order(7, "ada", List.of(), OrderStatus.PLACED, Instant.EPOCH);

        public Order place(PlaceOrder request) { return seven; }
        public Order find(long id) throws OrderNotFoundException {
            if (id != 7) {
                throw new OrderNotFoundException(id);
            }
            return seven;
        }
        public Order cancel(long id) throws OrderNotFoundException { return find(id); }
        public CompletableFuture<List<Order>> recent(int limit) { return CompletableFuture.completedFuture(List.of(seven)); }
    }

    @Autowired
    OrderController controller;

    @Test
    void theControllerCallsTheStubThroughTheRealReference() throws Exception {
        assertThat(controller.find(7).customer()).isEqualTo("ada");
        assertThatExceptionOfType(OrderNotFoundException.class).isThrownBy(() -> controller.find(9))
                .satisfies(e -> assertThat(e.orderId()).isEqualTo(9));
    }
}
// end::test[]
