package io.rpcboot.core.intercept;

import java.util.Map;

import io.rpcboot.core.RpcMethod;
import io.rpcboot.core.registry.ServiceKey;

/** A call as the client's interceptors see it. Belongs to one call; not thread-safe. */
public interface ClientCall {

    /** The service called: interface, version and group. */
    ServiceKey service();

    RpcMethod method();

    /** The arguments the call sends; an interceptor may replace elements before it proceeds. */
    @org.jspecify.annotations.Nullable Object[] arguments();

    /**
     * The metadata the call sends (the reference's, the thread's {@code RpcContext.callWithMetadata},
     * propagated keys); an interceptor may add entries before it proceeds. Keys follow the rules of
     * {@link io.rpcboot.core.RpcContext}; the whole must fit the header budget, or the call fails.
     */
    Map<String, String> metadata();

    /** The call's absolute deadline, epoch milliseconds (its timeout, or less when inherited). */
    long deadlineMillis();

    /**
     * Values interceptors hand to each other, and to their {@link ClientInterceptor#attemptEnded}
     * hooks; empty at first, mutable, shared by the threads the call crosses.
     */
    Map<String, Object> attributes();
}
