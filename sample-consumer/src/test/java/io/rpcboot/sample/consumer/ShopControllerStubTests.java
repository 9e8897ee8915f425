package io.rpcboot.sample.consumer;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.rpcboot.core.server.RpcServer;
import io.rpcboot.sample.api.GreetingService;
import io.rpcboot.sample.api.Order;
import io.rpcboot.sample.api.OrderLine;
import io.rpcboot.sample.api.OrderNotFoundException;
import io.rpcboot.sample.api.OrderService;
import io.rpcboot.sample.api.OrderStatus;
import io.rpcboot.test.autoconfigure.AutoConfigureRpc;
import io.rpcboot.test.autoconfigure.RpcStub;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumer with stub providers declared here, over the in-process transport: its references are
 * real (codec, deadline, the declared exception) and no port is opened, neither web nor rpc.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "spring.main.banner-mode=off")
@AutoConfigureRpc
@Import(ShopControllerStubTests.Stubs.class)
class ShopControllerStubTests {

    @TestConfiguration
    static class Stubs {
        @Bean
        RpcStub<GreetingService> greetings() {
            return RpcStub.of(GreetingService.class, name -> "Hi " + name + " (stub)");
        }

        @Bean
        RpcStub<OrderService> orders() {
            return new RpcStub<>(OrderService.class, new OneOrder(), "1.0", "");
        }
    }

    /** Knows one order, o-1. */
    static final class OneOrder implements OrderService {
        private final Order order = new Order("o-1", "ada", List.of(), OrderStatus.NEW, Instant.EPOCH, Optional.empty());

        @Override
        public Order place(String customer, List<OrderLine> lines, Optional<String> note) {
            return order;
        }

        @Override
        public Optional<Order> find(String id) {
            return id.equals("o-1") ? Optional.of(order) : Optional.empty();
        }

        @Override
        public List<Order> byStatus(OrderStatus status) {
            return List.of(order);
        }

        @Override
        public Order cancel(String id) {
            throw new OrderNotFoundException(id);
        }

        @Override
        public CompletableFuture<Map<OrderStatus, Long>> statistics() {
            return CompletableFuture.completedFuture(Map.of(OrderStatus.NEW, 1L));
        }
    }

    @Autowired
    ShopController shop;

    @Autowired
    RpcServer server;

    @Test
    void theControllersCallsReachTheStubs() {
        assertThat(shop.greet("Bo")).isEqualTo("Hi Bo (stub)");
        assertThat(shop.find("o-1").getBody()).extracting(Order::customer).isEqualTo("ada");
        assertThat(shop.notFound(catchCancel("o-9")).getStatusCode().value()).isEqualTo(404);
    }

    @Test
    void noPortIsOpened() {
        assertThat(server.inProcess()).isTrue();
        assertThat(server.address()).isInstanceOf(java.net.UnixDomainSocketAddress.class);
    }

    private OrderNotFoundException catchCancel(String id) {
        try {
            shop.cancel(id);
            throw new AssertionError("cancel(" + id + ") did not throw");
        } catch (OrderNotFoundException e) {
            return e;
        }
    }
}
