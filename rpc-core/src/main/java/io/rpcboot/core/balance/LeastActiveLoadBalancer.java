package io.rpcboot.core.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.rpcboot.core.registry.ServiceInstance;
import org.jspecify.annotations.Nullable;

/**
 * The instance with the fewest calls in flight from this client; ties are broken at random. A slow
 * instance accumulates calls in flight and so receives fewer new ones.
 */
public final class LeastActiveLoadBalancer implements LoadBalancer {

    public static final String NAME = "least-active";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(List<ServiceInstance> instances, InstanceStats stats) {
        ServiceInstance[] all = instances.toArray(ServiceInstance[]::new);
        InstanceFigures[] figures = stats.of(all);
        return call -> pick(all, figures, call);
    }

    private static @Nullable ServiceInstance pick(ServiceInstance[] all, InstanceFigures[] figures, CallInfo call) {
        int start = ThreadLocalRandom.current().nextInt(all.length); // random start: ties go anywhere
        ServiceInstance best = null;
        int bestActive = Integer.MAX_VALUE;
        for (int k = 0; k < all.length; k++) {
            int i = (start + k) % all.length;
            if (call.excluded(all[i])) {
                continue;
            }
            int active = figures[i].active();
            if (active < bestActive) {
                best = all[i];
                bestActive = active;
            }
        }
        return best;
    }
}
