package io.rpcboot.core.balance;

import java.util.List;

import io.rpcboot.core.registry.ServiceInstance;
import org.jspecify.annotations.Nullable;

/**
 * Chooses an instance for each call. {@link #newPicker} runs when the set of instances changes (not
 * per call) and may precompute anything; {@link Picker#pick} runs per call and must be cheap and
 * lock-free. Stateless and thread-safe; per-instance live figures are read (never
 * changed) through {@link InstanceStats}.
 */
public interface LoadBalancer {

    /** The stable lower-case name used in properties and annotations, e.g. {@code round-robin}. */
    String name();

    /**
     * A picker over {@code instances} (never empty, in registry order). A client asks for one only
     * when there are two or more: a single instance is picked unless excluded, as the contract of
     * {@link Picker#pick} leaves no other answer.
     *
     * @param stats the instances' live figures (in-flight calls, latency), read-only; kept by the client
     */
    Picker newPicker(List<ServiceInstance> instances, InstanceStats stats);

    /** Chooses among a fixed list of instances. Thread-safe. */
    interface Picker {

        /**
         * An instance for {@code call}, or null if every instance is in {@code call.excluded()}.
         */
        @Nullable ServiceInstance pick(CallInfo call);
    }

    /**
     * What a picker may look at: the method, the arguments (for hashing) and the instances this call
     * already tried (a retry goes elsewhere).
     */
    interface CallInfo {
        String method();

        Object[] arguments();

        boolean excluded(ServiceInstance instance);
    }
}
