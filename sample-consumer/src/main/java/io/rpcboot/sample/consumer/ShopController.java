package io.rpcboot.sample.consumer;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.rpcboot.annotation.RpcReference;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.sample.api.GreetingService;
import io.rpcboot.sample.api.Order;
import io.rpcboot.sample.api.OrderLine;
import io.rpcboot.sample.api.OrderNotFoundException;
import io.rpcboot.sample.api.OrderService;
import io.rpcboot.sample.api.OrderStatus;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** HTTP in front, rpc-boot behind: each endpoint makes one remote call. */
@RestController
public class ShopController {

    @RpcReference
    private GreetingService greetings;

    @RpcReference(version = "1.0", timeout = "${shop.order-timeout:2s}", loadBalancer = "least-active")
    private OrderService orders;

    @GetMapping("/greet")
    public String greet(@RequestParam(defaultValue = "world") String name) {
        return greetings.greet(name);
    }

    @PostMapping("/orders")
    public Order place(@RequestParam String customer) {
        return orders.place(customer, List.of(new OrderLine("book", 2, new BigDecimal("12.50")),
                new OrderLine("pen", 3, new BigDecimal("1.20"))), Optional.of("gift wrap"));
    }

    @GetMapping("/orders/{id}")
    public ResponseEntity<Order> find(@PathVariable String id) {
        return ResponseEntity.of(orders.find(id));
    }

    @PostMapping("/orders/{id}/cancel")
    public Order cancel(@PathVariable String id) {
        return orders.cancel(id);
    }

    @GetMapping("/orders")
    public List<Order> byStatus(@RequestParam(defaultValue = "NEW") OrderStatus status) {
        return orders.byStatus(status);
    }

    @GetMapping("/orders/statistics")
    public CompletableFuture<Map<OrderStatus, Long>> statistics() {
        return orders.statistics();
    }

    /** A business exception the method declares arrives as itself, its fields included. */
    @ExceptionHandler(OrderNotFoundException.class)
    public ResponseEntity<Map<String, String>> notFound(OrderNotFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", e.getMessage(), "orderId", e.orderId()));
    }

    /** Any other failure the provider reports arrives as an RpcRemoteException naming its type. */
    @ExceptionHandler(RpcRemoteException.class)
    public ResponseEntity<Map<String, String>> remoteFailure(RpcRemoteException e) {
        return ResponseEntity.status(HttpStatus.BAD_GATEWAY)
                .body(Map.of("error", e.remoteType(), "message", e.remoteMessage()));
    }
}
