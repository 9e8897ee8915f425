package io.rpcboot.sample.provider;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.rpcboot.annotation.RpcProvider;
import io.rpcboot.sample.api.Order;
import io.rpcboot.sample.api.OrderLine;
import io.rpcboot.sample.api.OrderNotFoundException;
import io.rpcboot.sample.api.OrderService;
import io.rpcboot.sample.api.OrderStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/** Orders kept in memory; every call is a remote call from the consumer. */
@Service
@RpcProvider(version = "1.0")
public class InMemoryOrderService implements OrderService {

    private static final Logger log = LoggerFactory.getLogger(InMemoryOrderService.class);

    private final Map<String, Order> orders = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1000);

    @Override
    public Order place(String customer, List<OrderLine> lines, Optional<String> note) {
        Order order = new Order("o-" + ids.incrementAndGet(), customer, List.copyOf(lines), OrderStatus.NEW,
                Instant.now(), note);
        orders.put(order.id(), order);
        log.info("placed {} for {} ({} lines, total {})", order.id(), customer, lines.size(), order.total());
        return order;
    }

    @Override
    public Optional<Order> find(String id) {
        return Optional.ofNullable(orders.get(id));
    }

    @Override
    public List<Order> byStatus(OrderStatus status) {
        return orders.values().stream().filter(o -> o.status() == status).toList();
    }

    @Override
    public Order cancel(String id) {
        Order order = orders.get(id);
        if (order == null) {
            throw new OrderNotFoundException(id);
        }
        Order cancelled = new Order(order.id(), order.customer(), order.lines(), OrderStatus.CANCELLED,
                order.createdAt(), order.note());
        orders.put(id, cancelled);
        return cancelled;
    }

    @Override
    public CompletableFuture<Map<OrderStatus, Long>> statistics() {
        return CompletableFuture.supplyAsync(() -> {
            Map<OrderStatus, Long> counts = new EnumMap<>(OrderStatus.class);
            for (Order o : orders.values()) {
                counts.merge(o.status(), 1L, Long::sum);
            }
            return counts;
        });
    }
}
