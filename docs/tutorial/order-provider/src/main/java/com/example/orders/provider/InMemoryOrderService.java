package com.example.orders.provider;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.example.orders.api.Order;
import com.example.orders.api.OrderNotFoundException;
import com.example.orders.api.OrderService;
import com.example.orders.api.OrderStatus;
import com.example.orders.api.PlaceOrder;
import io.rpcboot.annotation.RpcProvider;
import org.springframework.stereotype.Service;

// tag::provider[]
@Service
@RpcProvider
public class InMemoryOrderService implements OrderService {

    private final Map<Long, Order> orders = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    @Override
    public Order place(PlaceOrder request) {
        Order order = new Order(ids.incrementAndGet(), request.customer(), request.lines(), OrderStatus.PLACED,
                Instant.now());
        orders.put(order.id(), order);
        return order;
    }

    @Override
    public Order find(long id) throws OrderNotFoundException {
        Order order = orders.get(id);
        if (order == null) {
            throw new OrderNotFoundException(id);
        }
        return order;
    }

    @Override
    public Order cancel(long id) throws OrderNotFoundException {
        Order cancelled = orders.computeIfPresent(id, (k, o) ->
                new Order(o.id(), o.customer(), o.lines(), OrderStatus.CANCELLED, o.placedAt()));
        if (cancelled == null) {
            throw new OrderNotFoundException(id);
        }
        return cancelled;
    }

    @Override
    public CompletableFuture<List<Order>> recent(int limit) {
        return CompletableFuture.supplyAsync(() -> orders.values().stream()
                .sorted(Comparator.comparingLong(Order::id).reversed()).limit(limit).toList());
    }
}
// end::provider[]
