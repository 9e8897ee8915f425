package io.rpcboot.sample.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Orders: records, collections, enums, Optional, a business exception and an asynchronous method. */
public interface OrderService {

    Order place(String customer, List<OrderLine> lines, Optional<String> note);

    Optional<Order> find(String id);

    List<Order> byStatus(OrderStatus status);

    /** @throws OrderNotFoundException if there is no such order (it arrives as itself on the consumer) */
    Order cancel(String id) throws OrderNotFoundException;

    /** Orders per status, computed off the caller's thread. */
    CompletableFuture<Map<OrderStatus, Long>> statistics();
}
