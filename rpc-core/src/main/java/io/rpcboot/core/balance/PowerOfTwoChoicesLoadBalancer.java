package io.rpcboot.core.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.rpcboot.core.registry.ServiceInstance;

/**
 * Power of two choices: pick two instances at random and keep the one with the lower cost, where
 * cost = latency average x (calls in flight + 1). Nearly as good as scanning every instance for the
 * best, at the price of two; adapts to slow instances within a few calls.
 */
public final class PowerOfTwoChoicesLoadBalancer implements LoadBalancer {

    public static final String NAME = "p2c";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(List<ServiceInstance> instances, InstanceStats stats) {
        ServiceInstance[] all = instances.toArray(ServiceInstance[]::new);
        InstanceFigures[] figures = stats.of(all);
        return call -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int a = random.nextInt(all.length);
            int b = all.length > 1 ? (a + 1 + random.nextInt(all.length - 1)) % all.length : a;
            boolean aOk = !call.excluded(all[a]);
            boolean bOk = !call.excluded(all[b]);
            if (aOk && bOk) {
                return cost(figures[a]) <= cost(figures[b]) ? all[a] : all[b];
            }
            if (aOk || bOk) {
                return aOk ? all[a] : all[b];
            }
            return RoundRobinLoadBalancer.firstAllowed(all, a, call);
        };
    }

    private static double cost(InstanceFigures f) {
        return (f.latencyNanos() + 1.0) * (f.active() + 1);
    }
}
