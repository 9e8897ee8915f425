package io.rpcboot.core.balance;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.rpcboot.core.registry.ServiceInstance;

/** A random instance, in proportion to its weight (uniform when weights are equal). */
public final class RandomLoadBalancer implements LoadBalancer {

    public static final String NAME = "random";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(List<ServiceInstance> instances, InstanceStats stats) {
        ServiceInstance[] all = instances.toArray(ServiceInstance[]::new);
        long[] cumulative = new long[all.length];
        long total = 0;
        for (int i = 0; i < all.length; i++) {
            total += all[i].weight();
            cumulative[i] = total;
        }
        long sum = total;
        return call -> {
            long r = ThreadLocalRandom.current().nextLong(sum);
            int i = Arrays.binarySearch(cumulative, r + 1);
            int index = i >= 0 ? i : -i - 1;
            return RoundRobinLoadBalancer.firstAllowed(all, index, call);
        };
    }
}
