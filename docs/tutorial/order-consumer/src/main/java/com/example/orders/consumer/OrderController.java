package com.example.orders.consumer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.example.orders.api.Order;
import com.example.orders.api.OrderNotFoundException;
import com.example.orders.api.OrderService;
import com.example.orders.api.PlaceOrder;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

// tag::controller[]
@RestController
public class OrderController {

    private final OrderService orders;

    public OrderController(OrderService orders) {
        this.orders = orders;
    }

    @PostMapping("/orders")
    public Order place(@RequestBody PlaceOrder request) {
        return orders.place(request);
    }

    @GetMapping("/orders/{id}")
    public Order find(@PathVariable long id) throws OrderNotFoundException {
        return orders.find(id);
    }

    @DeleteMapping("/orders/{id}")
    public Order cancel(@PathVariable long id) throws OrderNotFoundException {
        return orders.cancel(id);
    }

    @GetMapping("/orders")
    public CompletableFuture<List<Order>> recent(@RequestParam(defaultValue = "10") int limit) {
        return orders.recent(limit);
    }

    /** The provider's exception arrives as itself, fields included. */
    @ExceptionHandler(OrderNotFoundException.class)
    public ResponseEntity<Map<String, Object>> notFound(OrderNotFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND)
                .body(Map.of("error", e.getMessage(), "orderId", e.orderId()));
    }
}
// end::controller[]
