package io.rpcboot.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

import io.rpcboot.core.internal.context.CallScope;
import io.rpcboot.core.internal.context.Metadata;

/**
 * The call context of the current thread.
 *
 * <ul>
 *   <li>Serving a call: its inherited {@link #deadlineMillis() deadline} (a call made while serving
 *       another gets what is left of the caller's time) and its {@link #metadata() metadata}. The
 *       server sets both around a provider method and its interceptors.</li>
 *   <li>Making calls: {@link #callWithMetadata} attaches metadata to every call made in its body.
 *       Keys of the served call's metadata that the client lists in
 *       {@code ClientConfig.propagatedMetadata} are carried to nested calls as well.</li>
 * </ul>
 *
 * A provider that hands work to other threads (or returns a {@code CompletableFuture}) carries the
 * deadline over with {@link #callWithDeadline}. Metadata keys are lowercase ({@code a-z 0-9 - _ .},
 * at most 64 characters); the keys the protocol itself uses ({@code service}, {@code method},
 * {@code version}, {@code group}, {@code deadline}) are refused.
 */
public final class RpcContext {

    private RpcContext() {
    }

    /** The inherited absolute deadline (epoch milliseconds), if this thread is serving a call that has one. */
    public static OptionalLong deadlineMillis() {
        CallScope s = CallScope.current();
        return s.hasDeadline ? OptionalLong.of(s.deadlineMillis) : OptionalLong.empty();
    }

    /** The metadata of the call being served on this thread (read-only); empty when none or not serving. */
    public static Map<String, String> metadata() {
        return CallScope.current().incoming;
    }

    /**
     * The authenticated caller of the call being served on this thread (set by the server's
     * {@link io.rpcboot.core.security.AuthenticationInterceptor}), or null when the call was not
     * authenticated or no call is served here.
     */
    public static @org.jspecify.annotations.Nullable RpcPrincipal principal() {
        return CallScope.current().principal instanceof RpcPrincipal p ? p : null;
    }

    /** Runs {@code body} with {@code deadlineMillis} as this thread's inherited deadline, then restores the previous one. */
    public static <T, E extends Throwable> T callWithDeadline(long deadlineMillis, Body<T, E> body) throws E {
        CallScope s = CallScope.current();
        long previous = s.deadlineMillis;
        boolean hadPrevious = s.hasDeadline;
        s.deadlineMillis = deadlineMillis;
        s.hasDeadline = true;
        try {
            return body.call();
        } finally {
            s.deadlineMillis = previous;
            s.hasDeadline = hadPrevious;
        }
    }

    /**
     * Runs {@code body} so that every call it makes carries {@code metadata} as well (added to what
     * an enclosing {@code callWithMetadata} attached; the inner value wins), then restores the
     * previous metadata.
     *
     * @throws IllegalArgumentException naming the key, if a key or value breaks the rules above
     */
    public static <T, E extends Throwable> T callWithMetadata(Map<String, String> metadata, Body<T, E> body) throws E {
        Metadata.check(metadata);
        CallScope s = CallScope.current();
        Map<String, String> previous = s.outgoing;
        if (previous.isEmpty()) {
            s.outgoing = Map.copyOf(metadata);
        } else {
            Map<String, String> merged = new LinkedHashMap<>(previous);
            merged.putAll(metadata);
            s.outgoing = Map.copyOf(merged);
        }
        try {
            return body.call();
        } finally {
            s.outgoing = previous;
        }
    }

    /** Code run under a deadline or with metadata. */
    @FunctionalInterface
    public interface Body<T, E extends Throwable> {
        T call() throws E;
    }
}
