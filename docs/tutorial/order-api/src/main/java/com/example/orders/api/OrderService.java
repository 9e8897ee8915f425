package com.example.orders.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.rpcboot.annotation.RpcMethodOptions;

// tag::service[]
public interface OrderService {

    /** Not idempotent: a call that may have run is never sent twice. */
    Order place(PlaceOrder request);

    /** Reading twice is harmless: a lost call may be retried, twice at most. */
    @RpcMethodOptions(timeout = "500ms", idempotent = true, retries = 2)
    Order find(long id) throws OrderNotFoundException;

    Order cancel(long id) throws OrderNotFoundException;

    /** Asynchronous end to end: no thread waits on either side. */
    CompletableFuture<List<Order>> recent(int limit);
}
// end::service[]
