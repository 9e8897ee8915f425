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

    /** Where {@link #setAside} keeps this thread's scope; made on first use. */
    private @org.jspecify.annotations.Nullable CallScope aside;

    private CallScope() {
    }

    /**
     * Moves this thread's scope aside and leaves it empty, for a thread about to run code of calls
     * that are not its own (a caller reading its connection answers other callers' calls too);
     * {@link #restoreAside} brings it back. Allocates only the first time on a thread.
     */
    public static CallScope setAside() {
        CallScope s = current();
        CallScope a = s.aside;
        if (a == null) {
            a = s.aside = new CallScope();
        }
        a.copyFrom(s);
        s.hasDeadline = false;
        s.deadlineMillis = 0;
        s.incoming = Map.of();
        s.principal = null;
        s.outgoing = Map.of();
        return s;
    }

    /** Brings back what {@link #setAside} moved aside. */
    public void restoreAside() {
        CallScope a = aside;
        if (a != null) {
            copyFrom(a);
        }
    }

    private void copyFrom(CallScope o) {
        deadlineMillis = o.deadlineMillis;
        hasDeadline = o.hasDeadline;
        incoming = o.incoming;
        principal = o.principal;
        outgoing = o.outgoing;
    }

    public static CallScope current() {
        return CURRENT.get();
    }
}
