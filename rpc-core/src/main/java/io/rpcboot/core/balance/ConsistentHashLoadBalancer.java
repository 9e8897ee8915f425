package io.rpcboot.core.balance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import io.rpcboot.core.registry.ServiceInstance;

/**
 * Consistent hashing on one argument (by default the first): calls with equal arguments go to the
 * same instance while membership is stable, and when an instance joins or leaves only about 1/n of
 * the keys move. Each instance has {@value #VIRTUAL_NODES} points on a 64-bit ring; a retry walks on
 * to the next instance clockwise.
 */
public final class ConsistentHashLoadBalancer implements LoadBalancer {

    public static final String NAME = "consistent-hash";
    static final int VIRTUAL_NODES = 160;

    private final int argumentIndex;

    /** Hashes argument {@code argumentIndex} (its {@code String.valueOf}); name {@code consistent-hash} for 0. */
    public ConsistentHashLoadBalancer(int argumentIndex) {
        if (argumentIndex < 0) {
            throw new IllegalArgumentException("argumentIndex must be >= 0, was " + argumentIndex);
        }
        this.argumentIndex = argumentIndex;
    }

    @Override
    public String name() {
        return argumentIndex == 0 ? NAME : NAME + ":" + argumentIndex;
    }

    @Override
    public Picker newPicker(List<ServiceInstance> instances, InstanceStats stats) {
        int n = instances.size() * VIRTUAL_NODES;
        long[] points = new long[n];
        for (int i = 0, p = 0; i < instances.size(); i++) {
            String address = instances.get(i).address();
            for (int v = 0; v < VIRTUAL_NODES; v++) {
                // low 16 bits carry the instance index, so sorting keeps the owner with its point
                points[p++] = (hash(address + "#" + v) & ~0xFFFFL) | i;
            }
        }
        Arrays.sort(points);
        ServiceInstance[] all = instances.toArray(ServiceInstance[]::new);
        return call -> {
            Object[] args = call.arguments();
            long key = hash(argumentIndex < args.length ? String.valueOf(args[argumentIndex]) : "") & ~0xFFFFL;
            int at = Arrays.binarySearch(points, key);
            int start = at >= 0 ? at : -at - 1;
            for (int k = 0; k < points.length; k++) {
                ServiceInstance candidate = all[(int) (points[(start + k) % points.length] & 0xFFFF)];
                if (!call.excluded(candidate)) {
                    return candidate;
                }
            }
            return null;
        };
    }

    /** 64-bit FNV-1a finished with the MurmurHash3 mixer, for an even spread on the ring. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
