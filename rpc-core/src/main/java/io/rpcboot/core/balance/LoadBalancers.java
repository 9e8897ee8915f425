package io.rpcboot.core.balance;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The balancers available by name: the built-in ones plus any registered. Thread-safe for reads once
 * built.
 */
public final class LoadBalancers {

    /** The default balancer's name. */
    public static final String DEFAULT = RoundRobinLoadBalancer.NAME;

    private final Map<String, LoadBalancer> byName = new LinkedHashMap<>();

    /** The built-in balancers. */
    public LoadBalancers() {
        for (LoadBalancer lb : List.of(new RoundRobinLoadBalancer(), new WeightedRoundRobinLoadBalancer(),
                new RandomLoadBalancer(), new LeastActiveLoadBalancer(), new ConsistentHashLoadBalancer(0),
                new PowerOfTwoChoicesLoadBalancer())) {
            byName.put(lb.name(), lb);
        }
    }

    /** Adds (or replaces) a balancer under its name. */
    public LoadBalancers add(LoadBalancer balancer) {
        byName.put(Objects.requireNonNull(balancer, "balancer").name(), balancer);
        return this;
    }

    /**
     * The balancer called {@code name}.
     *
     * @throws IllegalArgumentException naming the known balancers if there is none by that name
     */
    public LoadBalancer get(String name) {
        LoadBalancer lb = byName.get(name);
        if (lb == null && name.startsWith(ConsistentHashLoadBalancer.NAME + ":")) {
            try { // consistent-hash:N hashes argument N
                return new ConsistentHashLoadBalancer(Integer.parseInt(name.substring(ConsistentHashLoadBalancer.NAME.length() + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad load balancer '" + name + "': expected consistent-hash:<argument index>");
            }
        }
        if (lb == null) {
            throw new IllegalArgumentException("unknown load balancer '" + name + "'; known: " + byName.keySet());
        }
        return lb;
    }

    public Collection<String> names() {
        return List.copyOf(byName.keySet());
    }
}
