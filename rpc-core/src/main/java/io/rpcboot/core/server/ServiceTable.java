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
    private final ExecutionMode executionMode;
    private final Map<String, ExecutionMode> executions;

    ServiceTable(Serializations serializations, RpcMetrics metrics) {
        this(serializations, metrics, Map.of(), null, ExecutionMode.ADAPTIVE, Map.of());
    }

    /** @param rateLimits calls a second by interface name, or by {@code interface#methodKey} for one method */
    ServiceTable(Serializations serializations, RpcMetrics metrics, Map<String, Double> rateLimits,
                 @Nullable ConcurrencyLimit concurrencyLimit, ExecutionMode executionMode,
                 Map<String, ExecutionMode> executions) {
        this.executionMode = executionMode;
        this.executions = executions;
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
        applyExecutions(definition, methods.values());
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
        requireKnownMethods("a rate limit", rateLimits.keySet(), service, keys);
    }

    /** A setting keyed {@code service#method} must name a method the service has. */
    private static void requireKnownMethods(String what, java.util.Set<String> settings, String service,
                                            java.util.Set<String> methodKeys) {
        for (String key : settings) {
            int hash = key.indexOf('#');
            if (hash > 0 && key.substring(0, hash).equals(service) && !methodKeys.contains(key.substring(hash + 1))) {
                throw new IllegalArgumentException(what + " for " + key + ", but " + service + " has no method "
                        + key.substring(hash + 1) + "; its methods are " + methodKeys);
            }
        }
    }

    /**
     * Where each method runs: the configured setting of the method, else of its service, else the
     * implementation's {@link RpcExecution} on the method, else on its class, else the server's mode.
     */
    private void applyExecutions(ServiceDefinition definition, java.util.Collection<ProvidedMethod> methods) {
        String service = definition.interfaceClass().getName();
        Class<?> implementation = definition.implementation().getClass();
        RpcExecution onClass = implementation.getAnnotation(RpcExecution.class);
        ExecutionMode classMode = onClass != null ? onClass.value() : executionMode;
        ExecutionMode configured = executions.get(service);
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (ProvidedMethod m : methods) {
            keys.add(m.rpcMethod.key());
            ExecutionMode mode = executions.get(service + "#" + m.rpcMethod.key());
            if (mode == null) {
                mode = configured;
            }
            if (mode == null) {
                RpcExecution onMethod = annotationOnImplementation(implementation, m.rpcMethod.javaMethod());
                mode = onMethod != null ? onMethod.value() : classMode;
            }
            m.execute(mode, metrics);
        }
        requireKnownMethods("an execution mode", executions.keySet(), service, keys);
    }

    /** {@link RpcExecution} on the implementation of {@code method}, looked for up the class hierarchy (past a proxy). */
    private static @Nullable RpcExecution annotationOnImplementation(Class<?> implementation, Method method) {
        for (Class<?> c = implementation; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                RpcExecution found = c.getDeclaredMethod(method.getName(), method.getParameterTypes())
                        .getAnnotation(RpcExecution.class);
                if (found != null) {
                    return found;
                }
            } catch (NoSuchMethodException e) {
                // declared higher up
            }
        }
        return null;
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
