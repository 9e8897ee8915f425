package io.rpcboot.core.server;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.serialize.Serializations;
import org.jspecify.annotations.Nullable;

/** Published services by key, each with its methods by signature. Thread-safe. */
final class ServiceTable {

    /** One published service. */
    record Provided(ServiceDefinition definition, Map<String, ProvidedMethod> methods) {
    }

    private final Map<ServiceKey, Provided> services = new ConcurrentHashMap<>();
    private final Serializations serializations;
    private final RpcMetrics metrics;

    private final Map<String, Double> rateLimits;
    private final @Nullable ConcurrencyLimit concurrencyLimit;

    ServiceTable(Serializations serializations, RpcMetrics metrics) {
        this(serializations, metrics, Map.of(), null);
    }

    /** @param rateLimits calls a second by interface name, or by {@code interface#methodKey} for one method */
    ServiceTable(Serializations serializations, RpcMetrics metrics, Map<String, Double> rateLimits,
                 @Nullable ConcurrencyLimit concurrencyLimit) {
        this.serializations = serializations;
        this.metrics = metrics;
        this.rateLimits = rateLimits;
        this.concurrencyLimit = concurrencyLimit;
    }

    /**
     * Adds a service, resolving all its methods now.
     *
     * @throws IllegalArgumentException if the key is taken or a method cannot be published
     */
    Provided add(ServiceDefinition definition) {
        ServiceKey key = definition.key();
        serializations.allowList().allowReachableFrom(definition.interfaceClass());
        Map<String, ProvidedMethod> methods = new HashMap<>();
        for (Method m : definition.interfaceClass().getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            ProvidedMethod pm = new ProvidedMethod(key, m, definition.implementation(), serializations, metrics);
            methods.putIfAbsent(pm.rpcMethod.signature(), pm); // a method redeclared by a subinterface has one signature
        }
        applyRateLimits(definition, methods.values());
        Provided provided = new Provided(definition, Map.copyOf(methods));
        Provided clash = services.putIfAbsent(key, provided);
        if (clash != null) {
            throw new IllegalArgumentException("two providers for service " + key + ": "
                    + clash.definition().implementation().getClass().getName() + " and "
                    + definition.implementation().getClass().getName());
        }
        return provided;
    }

    /** The configured limits of this service and its methods; a limit naming no method of it is refused. */
    private void applyRateLimits(ServiceDefinition definition, java.util.Collection<ProvidedMethod> methods) {
        String service = definition.interfaceClass().getName();
        long now = System.nanoTime();
        Double serviceRate = rateLimits.get(service);
        RateLimiter shared = serviceRate == null ? null : new RateLimiter(serviceRate, now);
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (ProvidedMethod m : methods) {
            keys.add(m.rpcMethod.key());
            Double rate = rateLimits.get(service + "#" + m.rpcMethod.key());
            m.rateLimits(shared, rate == null ? null : new RateLimiter(rate, now));
            if (concurrencyLimit != null) {
                m.concurrency = new ConcurrencyLimit.Limiter(concurrencyLimit);
            }
        }
        for (String limited : rateLimits.keySet()) {
            int hash = limited.indexOf('#');
            if (hash > 0 && limited.substring(0, hash).equals(service) && !keys.contains(limited.substring(hash + 1))) {
                throw new IllegalArgumentException("a rate limit for " + limited + ", but " + service + " has no method "
                        + limited.substring(hash + 1) + "; its methods are " + keys);
            }
        }
    }

    @Nullable Provided get(ServiceKey key) {
        return services.get(key);
    }

    /**
     * Gives a published service another weight; its methods stay as they are.
     *
     * @return the new definition
     * @throws IllegalArgumentException if no such service is published, or the weight is out of range
     */
    ServiceDefinition reweigh(ServiceKey key, int weight) {
        Provided current = services.get(key);
        if (current == null) {
            throw new IllegalArgumentException("no service " + key + " is published here; published: "
                    + services.keySet().stream().map(ServiceKey::toString).sorted().toList());
        }
        ServiceDefinition d = current.definition();
        ServiceDefinition next = new ServiceDefinition(d.interfaceClass(), d.implementation(), d.version(), d.group(), weight);
        services.put(key, new Provided(next, current.methods()));
        return next;
    }

    List<ServiceDefinition> definitions() {
        return services.values().stream().map(Provided::definition).toList();
    }
}
