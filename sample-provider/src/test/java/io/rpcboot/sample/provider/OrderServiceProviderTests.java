package io.rpcboot.sample.provider;

import java.math.BigDecimal;
import java.net.UnixDomainSocketAddress;
import java.util.List;
import java.util.Optional;

import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.sample.api.Order;
import io.rpcboot.sample.api.OrderLine;
import io.rpcboot.sample.api.OrderNotFoundException;
import io.rpcboot.sample.api.OrderService;
import io.rpcboot.test.autoconfigure.RpcProviderTest;
import io.rpcboot.test.autoconfigure.RpcTestClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The provider as its consumers see it, with the test slice: only rpc-boot and this provider start,
 * served in process (no port), called through the codec.
 */
@RpcProviderTest(InMemoryOrderService.class)
class OrderServiceProviderTests {

    @Autowired
    RpcTestClient rpc;

    @Autowired
    RpcServer server;

    private OrderService orders() {
        return rpc.reference(ReferenceConfig.builder(OrderService.class).version("1.0").build());
    }

    @Test
    void aPlacedOrderCanBeFoundAndCancelled() {
        OrderService orders = orders();
        Order placed = orders.place("ada", List.of(new OrderLine("pen", 2, new BigDecimal("1.50"))), Optional.empty());
        assertThat(orders.find(placed.id())).contains(placed);
        assertThat(orders.cancel(placed.id()).status().name()).isEqualTo("CANCELLED");
    }

    @Test
    void aMissingOrderArrivesAsTheDeclaredException() {
        assertThatExceptionOfType(OrderNotFoundException.class).isThrownBy(() -> orders().cancel("o-404"))
                .satisfies(e -> assertThat(e.orderId()).isEqualTo("o-404"));
    }

    @Test
    void noPortIsOpened() {
        assertThat(server.inProcess()).isTrue();
        assertThat(server.address()).isInstanceOf(UnixDomainSocketAddress.class);
    }
}
