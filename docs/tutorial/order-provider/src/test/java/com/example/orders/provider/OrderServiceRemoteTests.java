package com.example.orders.provider;

import java.math.BigDecimal;
import java.util.List;

import com.example.orders.api.Order;
import com.example.orders.api.OrderLine;
import com.example.orders.api.OrderNotFoundException;
import com.example.orders.api.OrderService;
import com.example.orders.api.PlaceOrder;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.server.RpcServer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

// tag::test[]
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {"rpc.server.host=127.0.0.1", "rpc.server.port=0"})
class OrderServiceRemoteTests {

    @Autowired
    RpcServer server;

    @Autowired
    RpcClient client;

    /** The provider as consumers see it: over a real connection to its rpc port. */
    OrderService remote() {
        return client.create(ReferenceConfig.builder(OrderService.class)
                .urls(List.of("127.0.0.1:" + server.port())).build());
    }

    @Test
    void placedOrdersCanBeFound() throws Exception {
        OrderService orders = remote();
        Order placed = orders.place(new PlaceOrder("ada", List.of(new OrderLine("pen", 2, new BigDecimal("1.50")))));
        assertThat(orders.find(placed.id()).total()).isEqualByComparingTo("3.00");
    }

    @Test
    void aMissingOrderArrivesAsTheDeclaredException() {
        assertThatExceptionOfType(OrderNotFoundException.class).isThrownBy(() -> remote().find(404))
                .withMessage("no order 404")
                .satisfies(e -> assertThat(e.orderId()).isEqualTo(404));
    }
}
// end::test[]
