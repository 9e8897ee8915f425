package io.rpcboot.core.client;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.rpcboot.annotation.RpcMethodOptions;
import io.rpcboot.core.RpcCircuitOpenException;
import io.rpcboot.core.RpcException;
import io.rpcboot.core.RpcMethod;
import io.rpcboot.core.client.RpcClient.SettingSource;
import io.rpcboot.core.balance.LoadBalancer;
import io.rpcboot.core.internal.metrics.Meters;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.serialize.Serialization;
import io.rpcboot.core.SerializationException;
import org.jspecify.annotations.Nullable;

/**
 * The invocation handler behind one proxy: {@code equals}, {@code hashCode} and {@code toString}
 * are answered locally; every other method becomes an {@link Invocation}, completed through a
 * {@link FutureCompletion} (a method returning a {@code CompletionStage}) or a {@link ParkedCaller}
 * (any other method: the caller's thread waits). Everything per method is resolved when the proxy
 * is made.
 */
final class Reference<T> implements InvocationHandler, AutoCloseable {


    final ReferenceConfig<T> config;
    final ServiceKey key;
    final ServiceDirectory directory;
    final Serialization serialization;
    final boolean idempotent;
    final int retries;
    final boolean directUrls;
    final Duration timeout;
    private final ClientRuntime runtime;
    private final Map<Method, ClientMethod> methods = new HashMap<>();

    Reference(ReferenceConfig<T> config, ClientRuntime runtime) {
        this.config = config;
        this.runtime = runtime;
        this.key = config.key();
        ClientConfig defaults = runtime.config;
        this.serialization = runtime.serializations.byName(
                config.serialization() != null ? config.serialization() : defaults.serialization());
        LoadBalancer balancer = runtime.balancers.get(
                config.loadBalancer() != null ? config.loadBalancer() : defaults.loadBalancer());
        this.idempotent = config.idempotent();
        this.retries = config.retries() != null ? config.retries() : defaults.retries();
        this.directUrls = !config.urls().isEmpty();
        this.timeout = config.timeout() != null ? config.timeout() : defaults.timeout();
        runtime.serializations.allowList().allowReachableFrom(config.interfaceClass());
        Map<String, Method> byKey = new HashMap<>();
        for (Method m : config.interfaceClass().getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            RpcMethod rpcMethod = new RpcMethod(key.interfaceName(), m);
            byKey.put(rpcMethod.key(), m);
            RpcClient.MethodInfo settings = settings(rpcMethod, config.methods().get(rpcMethod.key()),
                    defaults.retries());
            try {
                MethodConfig own = config.methods().get(rpcMethod.key());
                CircuitBreaker breaker = own != null && own.circuitBreaker() != null ? own.circuitBreaker()
                        : config.circuitBreaker();
                boolean oneWay = own != null && Boolean.TRUE.equals(own.oneWay());
                if (oneWay && (!rpcMethod.returnsVoid() || rpcMethod.isAsync())) {
                    throw new IllegalArgumentException("one-way is for void methods, and " + rpcMethod + " returns "
                            + m.getGenericReturnType().getTypeName() + ": a one-way call has no answer to return");
                }
                methods.put(m, new ClientMethod(rpcMethod, serialization, settings, runtime.metrics, breaker, oneWay));
            } catch (SerializationException e) {
                throw new IllegalArgumentException("cannot call " + key.interfaceName() + "." + m.getName() + " with the "
                        + serialization.name() + " serialization: " + e.getMessage(), e);
            }
        }
        for (String named : config.methods().keySet()) {
            if (!byKey.containsKey(named)) {
                throw new IllegalArgumentException("method settings for '" + named + "', which " + key.interfaceName()
                        + " does not have; its methods are " + new java.util.TreeSet<>(byKey.keySet())
                        + " (an overloaded method is named with its parameter types, e.g. find(long))");
            }
        }
        this.directory = new ServiceDirectory(key, balancer, config.urls(), runtime,
                config.tls() != null ? config.tls() : runtime.config.tls());
    }

    /**
     * One method's settings, most specific first: the reference's settings for the method, the
     * method's {@link RpcMethodOptions}, the reference's own settings, the client's defaults.
     */
    private RpcClient.MethodInfo settings(RpcMethod method, @Nullable MethodConfig configured, int defaultRetries) {
        MethodConfig c = configured != null ? configured : MethodConfig.NONE;
        RpcMethodOptions options = method.javaMethod().getAnnotation(RpcMethodOptions.class);
        Duration t = timeout;
        SettingSource tFrom = config.timeout() != null ? SettingSource.REFERENCE : SettingSource.CLIENT;
        boolean idem = idempotent;
        SettingSource iFrom = config.idempotent() ? SettingSource.REFERENCE : SettingSource.CLIENT;
        int r = retries;
        SettingSource rFrom = config.retries() != null ? SettingSource.REFERENCE : SettingSource.CLIENT;
        if (options != null) {
            if (!options.timeout().isBlank()) {
                try {
                    t = MethodConfig.parseDuration(options.timeout());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("@RpcMethodOptions(timeout) of " + method + ": " + e.getMessage(), e);
                }
                if (t.isNegative() || t.isZero()) {
                    throw new IllegalArgumentException("@RpcMethodOptions(timeout) of " + method + " must be > 0, was " + t);
                }
                tFrom = SettingSource.METHOD_ANNOTATION;
            }
            if (options.idempotent()) {
                idem = true;
                iFrom = SettingSource.METHOD_ANNOTATION;
            }
            if (options.retries() >= 0) {
                r = options.retries();
                rFrom = SettingSource.METHOD_ANNOTATION;
            }
        }
        if (c.timeout() != null) {
            t = c.timeout();
            tFrom = SettingSource.METHOD_CONFIG;
        }
        if (c.idempotent() != null) {
            idem = c.idempotent();
            iFrom = SettingSource.METHOD_CONFIG;
        }
        if (c.retries() != null) {
            r = c.retries();
            rFrom = SettingSource.METHOD_CONFIG;
        }
        return new RpcClient.MethodInfo(method.key(), t, tFrom, idem, iFrom, r, rFrom);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                case "toString" -> "RpcReference[" + key + "]";
                default -> throw new UnsupportedOperationException(method.getName());
            };
        }
        ClientMethod descriptor = methods.get(method);
        if (descriptor == null) {
            throw new UnsupportedOperationException(method + " is not a remote method");
        }
        Object[] arguments = args == null ? new Object[0] : args;
        if (config.fallback() != null) {
            return withFallback(method, descriptor, arguments);
        }
        return call(descriptor, arguments);
    }

    private @Nullable Object call(ClientMethod descriptor, Object[] arguments) throws Throwable {
        if (descriptor.oneWay && OneWayCalls.sendByUdp(runtime, this, descriptor, arguments)) {
            return null; // sent: no answer comes, none is awaited
        }
        if (!descriptor.async && runtime.onEventLoop()) {
            throw new IllegalStateException("a synchronous call to " + descriptor.describe() + " from event loop thread "
                    + Thread.currentThread().getName() + " would dead-lock; declare the method to return"
                    + " CompletableFuture, or call it from another thread");
        }
        if (!runtime.interceptors.isEmpty()) {
            return InterceptedCall.invoke(runtime, this, descriptor, arguments);
        }
        if (descriptor.async) {
            FutureCompletion future = new FutureCompletion(descriptor);
            new Invocation(runtime, this, descriptor, arguments, future, null, null).start();
            return future;
        }
        ParkedCaller caller = new ParkedCaller();
        Invocation call = new Invocation(runtime, this, descriptor, arguments, caller, null, null);
        call.start();
        try {
            return caller.await(call);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException("interrupted while waiting for " + descriptor.describe());
        } catch (RpcException e) {
            throw CallFrames.delivered(e, descriptor);
        } catch (Throwable e) {
            throw new RpcException(descriptor.describe() + " failed", e);
        }
    }

    /**
     * A call whose failure to reach a provider ({@link RpcCircuitBreakers#isFailure}: the breaker
     * refused it, a timeout, no instance...) the fallback answers instead; a provider's own exception
     * still reaches the caller. The failure is added to whatever the fallback throws. For a method
     * returning a future, the fallback runs on the thread that completed the call (often an rpc I/O
     * thread, as for any dependent stage): it must not block.
     */
    private Object withFallback(Method method, ClientMethod descriptor, Object[] arguments) throws Throwable {
        if (!descriptor.async) {
            try {
                return call(descriptor, arguments);
            } catch (RpcException e) {
                if (!RpcCircuitBreakers.isFailure(e)) {
                    throw e;
                }
                return fallback(method, descriptor, arguments, e);
            }
        }
        @SuppressWarnings("unchecked")
        CompletionStage<Object> call = (CompletionStage<Object>) call(descriptor, arguments);
        // completed by hand, so that callers see the same exceptions, unwrapped, as without a fallback
        CompletableFuture<Object> answer = new CompletableFuture<>();
        call.whenComplete((value, failure) -> {
            Throwable cause = unwrap(failure);
            if (cause == null) {
                answer.complete(value);
                return;
            }
            if (!RpcCircuitBreakers.isFailure(cause)) {
                answer.completeExceptionally(cause);
                return;
            }
            try {
                @SuppressWarnings("unchecked")
                CompletionStage<Object> fallback = (CompletionStage<Object>) fallback(method, descriptor, arguments, cause);
                if (fallback == null) {
                    answer.complete(null);
                } else {
                    fallback.whenComplete((v, e) -> {
                        if (e == null) {
                            answer.complete(v);
                        } else {
                            answer.completeExceptionally(unwrap(e));
                        }
                    });
                }
            } catch (Throwable e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    private static @Nullable Throwable unwrap(@Nullable Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private @Nullable Object fallback(Method method, ClientMethod descriptor, Object[] arguments, Throwable failure)
            throws Throwable {
        Meters.of(runtime.metrics).clientFallbacks(descriptor.rpcMethod,
                failure instanceof RpcCircuitOpenException ? "circuit_open" : "failure").increment();
        try {
            return method.invoke(config.fallback(), arguments);
        } catch (InvocationTargetException e) {
            Throwable thrown = e.getCause() != null ? e.getCause() : e;
            thrown.addSuppressed(failure);
            throw thrown;
        }
    }

    /** The effective settings, per method too, and the instances seen now. */
    RpcClient.ReferenceInfo info() {
        return new RpcClient.ReferenceInfo(key.toString(), timeout, retries, idempotent, directory.balancer().name(),
                serialization.name(), config.urls(), directory.instances().stream().map(i -> i.address()).toList(),
                methods.values().stream().map(m -> m.info)
                        .sorted(java.util.Comparator.comparing(RpcClient.MethodInfo::method)).toList());
    }

    @Override
    public void close() {
        directory.close();
    }
}
