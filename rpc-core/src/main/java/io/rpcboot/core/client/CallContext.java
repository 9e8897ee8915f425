package io.rpcboot.core.client;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.rpcboot.core.internal.context.CallScope;

/**
 * What a call takes from the thread that makes it, read once on that thread: its deadline (its own
 * timeout, or what is left of the deadline of the call being served there) and its metadata (the
 * client's, the reference's, the served call's propagated keys, and {@code RpcContext}'s, later
 * ones winning). A call that interceptors may send from another thread carries it along.
 */
final class CallContext {

    final long deadlineNanos;
    final boolean inheritedDeadline;
    final Map<String, String> metadata;

    CallContext(long deadlineNanos, boolean inheritedDeadline, Map<String, String> metadata) {
        this.deadlineNanos = deadlineNanos;
        this.inheritedDeadline = inheritedDeadline;
        this.metadata = metadata;
    }

    /** The context of a call of {@code method} made now, on this thread; {@code mutable}: a map interceptors may add to. */
    static CallContext here(ClientRuntime runtime, Reference<?> reference, ClientMethod method, long nowNanos,
                            boolean mutable) {
        CallScope scope = CallScope.current();
        long deadline = deadlineNanos(runtime, scope, method, nowNanos);
        return new CallContext(deadline, deadline - (nowNanos + method.timeoutNanos) < 0,
                metadata(runtime, reference, scope, mutable));
    }

    /**
     * The deadline of a call made now on the thread of {@code scope}: its own timeout, or what is left
     * of the deadline of the call being served there if that is sooner (then the deadline is inherited).
     */
    static long deadlineNanos(ClientRuntime runtime, CallScope scope, ClientMethod method, long nowNanos) {
        long own = nowNanos + method.timeoutNanos;
        if (scope.hasDeadline) {
            long inherited = nowNanos + TimeUnit.MILLISECONDS.toNanos(scope.deadlineMillis - runtime.clock.currentTimeMillis());
            if (inherited - own < 0) {
                return inherited;
            }
        }
        return own;
    }

    static Map<String, String> metadata(ClientRuntime runtime, Reference<?> reference, CallScope scope,
                                                boolean mutable) {
        Map<String, String> client = runtime.config.metadata();
        Map<String, String> own = reference.config.metadata();
        Map<String, String> call = scope.outgoing;
        boolean propagate = !scope.incoming.isEmpty() && !runtime.config.propagatedMetadata().isEmpty();
        if (!mutable && !propagate && client.isEmpty() && call.isEmpty()) {
            return own; // the common case: nothing, or the reference's own, shared by every call
        }
        Map<String, String> all = new HashMap<>(client);
        all.putAll(own);
        if (propagate) {
            for (String key : runtime.config.propagatedMetadata()) {
                String value = scope.incoming.get(key);
                if (value != null) {
                    all.put(key, value);
                }
            }
        }
        all.putAll(call);
        return all;
    }
}
