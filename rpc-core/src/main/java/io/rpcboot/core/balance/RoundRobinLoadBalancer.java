package io.rpcboot.core.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.rpcboot.core.registry.ServiceInstance;
import org.jspecify.annotations.Nullable;

/** Each instance in turn, ignoring weights. The default. */
public final class RoundRobinLoadBalancer implements LoadBalancer {

    public static final String NAME = "round-robin";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(List<ServiceInstance> instances, InstanceStats stats) {
        ServiceInstance[] all = instances.toArray(ServiceInstance[]::new);
        AtomicInteger next = new AtomicInteger();
        return call -> firstAllowed(all, next.getAndIncrement(), call);
    }

    /** The first instance from position {@code from} on (wrapping) that the call may use. */
    static @Nullable ServiceInstance firstAllowed(ServiceInstance[] all, int from, LoadBalancer.CallInfo call) {
        for (int i = 0; i < all.length; i++) {
            ServiceInstance candidate = all[Math.floorMod(from + i, all.length)];
            if (!call.excluded(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
