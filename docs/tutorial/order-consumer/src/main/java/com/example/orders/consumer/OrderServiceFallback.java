package com.example.orders.consumer;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.example.orders.api.Order;
import com.example.orders.api.OrderService;
import com.example.orders.api.PlaceOrder;
import io.rpcboot.annotation.RpcFallback;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

// tag::fallback[]
/** Answers while the order service cannot be reached, or its circuit breaker is open. */
@Component("orderServiceFallback")
@RpcFallback // never injected by type: OrderController still gets the remote reference
class OrderServiceFallback implements OrderService {

    @Override
    public Order place(PlaceOrder request) {
        throw unavailable();
    }

    @Override
    public Order find(long id) {
        throw unavailable();
    }

    @Override
    public Order cancel(long id) {
        throw unavailable();
    }

    /** The list page stays up: empty while the orders are away. */
    @Override
    public CompletableFuture<List<Order>> recent(int limit) {
        return CompletableFuture.completedFuture(List.of());
    }

    private static ResponseStatusException unavailable() {
        return new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "orders are unavailable, try again shortly");
    }
}
// end::fallback[]
