package io.rpcboot.core;

import java.util.OptionalLong;

/**
 * The deadline of the call being served on this thread, so that a call made while serving another
 * inherits what is left of the caller's time. The server sets it around a provider method that runs
 * synchronously; the client reads it. A provider that hands work to other threads (or returns a
 * {@code CompletableFuture}) carries it over with {@link #callWithDeadline}.
 */
public final class RpcContext {

    /** Per thread: {deadline, present (1) or not (0)}; reused, so serving a call allocates nothing here. */
    private static final ThreadLocal<long[]> DEADLINE = ThreadLocal.withInitial(() -> new long[2]);

    private RpcContext() {
    }

    /** The inherited absolute deadline (epoch milliseconds), if this thread is serving a call that has one. */
    public static OptionalLong deadlineMillis() {
        long[] d = DEADLINE.get();
        return d[1] == 0 ? OptionalLong.empty() : OptionalLong.of(d[0]);
    }

    /** Runs {@code body} with {@code deadlineMillis} as this thread's inherited deadline, then restores the previous one. */
    public static <T, E extends Throwable> T callWithDeadline(long deadlineMillis, Body<T, E> body) throws E {
        long[] d = DEADLINE.get();
        long previous = d[0];
        long hadPrevious = d[1];
        d[0] = deadlineMillis;
        d[1] = 1;
        try {
            return body.call();
        } finally {
            d[0] = previous;
            d[1] = hadPrevious;
        }
    }

    /** Code run under a deadline. */
    @FunctionalInterface
    public interface Body<T, E extends Throwable> {
        T call() throws E;
    }
}
