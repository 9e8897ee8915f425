package io.rpcboot.core.client;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.balance.LoadBalancer;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.serialize.Serialization;
import io.rpcboot.core.SerializationException;

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
        for (Method m : config.interfaceClass().getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Duration t = config.methodTimeouts().getOrDefault(m.getName(), timeout);
            try {
                methods.put(m, new ClientMethod(key.interfaceName(), m, serialization, t, runtime.metrics));
            } catch (SerializationException e) {
                throw new IllegalArgumentException("cannot call " + key.interfaceName() + "." + m.getName() + " with the "
                        + serialization.name() + " serialization: " + e.getMessage(), e);
            }
        }
        this.directory = new ServiceDirectory(key, balancer, config.urls(), runtime,
                config.tls() != null ? config.tls() : runtime.config.tls());
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
        if (!descriptor.async && runtime.onEventLoop()) {
            throw new IllegalStateException("a synchronous call to " + descriptor.describe() + " from event loop thread "
                    + Thread.currentThread().getName() + " would dead-lock; declare the method to return"
                    + " CompletableFuture, or call it from another thread");
        }
        if (!runtime.interceptors.isEmpty()) {
            return InterceptedCall.invoke(runtime, this, descriptor, arguments);
        }
        if (descriptor.async) {
            FutureCompletion future = new FutureCompletion();
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
            throw e;
        } catch (Throwable e) {
            throw new RpcException(descriptor.describe() + " failed", e);
        }
    }

    @Override
    public void close() {
        directory.close();
    }
}
