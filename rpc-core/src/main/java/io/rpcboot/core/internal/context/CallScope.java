package io.rpcboot.core.internal.context;

import java.util.Map;

/**
 * Not API. What {@link io.rpcboot.core.RpcContext} reads, per thread: the deadline and metadata of
 * the call being served here, and the metadata the application asked calls made here to carry. One
 * mutable holder per thread, saved and restored by the code that sets it, so serving a call
 * allocates nothing here.
 */
public final class CallScope {

    private static final ThreadLocal<CallScope> CURRENT = ThreadLocal.withInitial(CallScope::new);

    /** The inherited absolute deadline, epoch milliseconds; valid when {@link #hasDeadline}. */
    public long deadlineMillis;
    public boolean hasDeadline;
    /** The metadata of the call being served on this thread; empty when none. */
    public Map<String, String> incoming = Map.of();
    /** The caller authenticated for the call being served on this thread; null when none. */
    public java.security.@org.jspecify.annotations.Nullable Principal principal;
    /** Metadata the application attached to the calls made on this thread; empty when none. */
    public Map<String, String> outgoing = Map.of();

    private CallScope() {
    }

    public static CallScope current() {
        return CURRENT.get();
    }
}
