package com.example.orders.consumer;

import java.time.Instant;
import java.util.List;

import com.example.orders.api.Order;
import com.example.orders.api.OrderNotFoundException;
import com.example.orders.api.OrderService;
import com.example.orders.api.OrderStatus;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;

// tag::test[]
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class OrderControllerTests {

    @MockitoBean
    OrderService orders;      // replaces the reference bean: no provider needed

    @Autowired
    OrderController controller;

    @Test
    void findsAnOrderThroughTheService() throws Exception {
        Order order = new Order(7, "ada", List.of(), OrderStatus.PLACED, Instant.EPOCH);
        given(orders.find(7)).willReturn(order);
        assertThat(controller.find(7)).isEqualTo(order);
    }

    @Test
    void aMissingOrderIsA404NamingIt() {
        var response = controller.notFound(new OrderNotFoundException(9));
        assertThat(response.getStatusCode().value()).isEqualTo(404);
        assertThat(response.getBody()).containsEntry("orderId", 9L);
    }
}
// end::test[]
