package io.rpcboot.core.balance;

import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.rpcboot.core.registry.ServiceInstance;

/**
 * Smooth weighted round-robin (the algorithm nginx uses): over every cycle of total-weight calls,
 * each instance gets exactly its share, and heavy instances are interleaved with light ones rather
 * than served in bursts. The cycle is computed once per membership change, so a pick is one atomic
 * increment and an array read.
 */
public final class WeightedRoundRobinLoadBalancer implements LoadBalancer {

    public static final String NAME = "weighted";
    /** Longest precomputed cycle; larger weight sums are scaled down to fit. */
    static final int MAX_CYCLE = 1 << 16;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(List<ServiceInstance> instances, InstanceStats stats) {
        ServiceInstance[] all = instances.toArray(ServiceInstance[]::new);
        int[] schedule = schedule(weights(all));
        ServiceInstance[] cycle = new ServiceInstance[schedule.length];
        for (int i = 0; i < schedule.length; i++) {
            cycle[i] = all[schedule[i]];
        }
        AtomicInteger next = new AtomicInteger();
        return call -> RoundRobinLoadBalancer.firstAllowed(cycle, next.getAndIncrement(), call);
    }

    /** Weights divided by their greatest common divisor, scaled down if their sum exceeds the cycle limit. */
    static int[] weights(ServiceInstance[] all) {
        int[] w = new int[all.length];
        int gcd = 0;
        long sum = 0;
        for (int i = 0; i < all.length; i++) {
            w[i] = all[i].weight();
            gcd = BigInteger.valueOf(gcd).gcd(BigInteger.valueOf(w[i])).intValue();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] /= gcd;
            sum += w[i];
        }
        if (sum > MAX_CYCLE) {
            double scale = (double) MAX_CYCLE / sum;
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.max(1, (int) (w[i] * scale));
            }
        }
        return w;
    }

    /** One full cycle of smooth weighted round-robin, as instance indexes. */
    static int[] schedule(int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int[] current = new int[weights.length];
        int[] order = new int[total];
        for (int n = 0; n < total; n++) {
            int best = 0;
            for (int i = 0; i < weights.length; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order[n] = best;
        }
        return order;
    }
}
