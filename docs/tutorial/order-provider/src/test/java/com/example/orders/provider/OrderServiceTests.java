package com.example.orders.provider;

import java.math.BigDecimal;
import java.util.List;

import com.example.orders.api.Order;
import com.example.orders.api.OrderLine;
import com.example.orders.api.OrderNotFoundException;
import com.example.orders.api.OrderService;
import com.example.orders.api.PlaceOrder;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.test.autoconfigure.RpcProviderTest;
import io.rpcboot.test.autoconfigure.RpcTestClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

// tag::test[]
@RpcProviderTest(InMemoryOrderService.class)
class OrderServiceTests {

    @Autowired
    RpcTestClient rpc;      // calls the provider as consumers do: codec, limits, interceptors

    @Test
    void placedOrdersCanBeFound() throws Exception {
        OrderService orders = rpc.reference(OrderService.class);
        Order placed = orders.place(new PlaceOrder("ada", List.of(new OrderLine("pen", 2, new BigDecimal("1.50")))));
        assertThat(orders.find(placed.id()).total()).isEqualByComparingTo("3.00");
    }

    @Test
    void aMissingOrderArrivesAsTheDeclaredException() {
        OrderService orders = rpc.reference(OrderService.class);
        assertThatExceptionOfType(OrderNotFoundException.class).isThrownBy(() -> orders.find(404))
                .satisfies(e -> assertThat(e.orderId()).isEqualTo(404));
    }

    @Test
    void noPortIsOpened(@Autowired RpcServer server) {
        assertThat(server.inProcess()).isTrue();
    }
}
// end::test[]
