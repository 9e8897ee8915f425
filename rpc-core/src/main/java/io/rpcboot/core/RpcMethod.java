package io.rpcboot.core;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Objects;
import java.util.concurrent.CompletionStage;


/**
 * One method of a service interface as rpc-boot calls it, the same on both sides: the client
 * resolves it when it makes a proxy, the server when it publishes a service. It holds what the
 * {@link Method} says once, so neither side works it out again per call: the name on the wire, the
 * declared parameter types and result type, and whether the result arrives asynchronously.
 *
 * <p>Like gRPC's {@code MethodDescriptor}, it is what a call is about; the interceptors of a later
 * issue receive it. Immutable and thread-safe.
 */
public final class RpcMethod {

    private final String service;
    private final Method method;
    private final String signature;
    private final String key;
    private final Type[] parameterTypes;
    private final Type resultType;
    private final boolean async;
    private final boolean returnsVoid;
    private final Class<?>[] exceptionTypes;

    /**
     * @param service the service's name on the wire: its interface's fully qualified name
     * @param method  a method of that interface
     */
    public RpcMethod(String service, Method method) {
        this.service = Objects.requireNonNull(service, "service");
        this.method = Objects.requireNonNull(method, "method");
        this.signature = signatureOf(method);
        this.key = keyOf(method);
        this.parameterTypes = method.getGenericParameterTypes();
        this.async = CompletionStage.class.isAssignableFrom(method.getReturnType());
        this.returnsVoid = method.getReturnType() == void.class;
        this.exceptionTypes = method.getExceptionTypes();
        Type declared = method.getGenericReturnType();
        this.resultType = !async ? declared
                : declared instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
    }

    /** The service's name on the wire: the interface's fully qualified name. */
    public String service() {
        return service;
    }

    /**
     * The method's name on the wire: its name and parameter types without generics, e.g.
     * {@code add(int,int)}; this is what makes overloads resolve (docs/protocol.md, header {@code method}).
     */
    public String signature() {
        return signature;
    }

    /**
     * The method's key: its name, with simple parameter types only when the interface overloads the
     * name ({@code find(long)}, {@code find(String)}). Short and bounded. It is the one name of a
     * method outside the wire: meters' and traces' {@code method} tag, per-method settings
     * ({@code rpc.client.services.[interface].methods.[key]}), and the resilience settings.
     */
    public String key() {
        return key;
    }

    public Method javaMethod() {
        return method;
    }

    public int parameterCount() {
        return parameterTypes.length;
    }

    /** The declared type of parameter {@code i}, with generics. */
    public Type parameterType(int i) {
        return parameterTypes[i];
    }

    /** What the call produces: {@code T} for a method returning {@code CompletableFuture<T>}, else the return type. */
    public Type resultType() {
        return resultType;
    }

    /** Whether the method returns a {@link CompletionStage} (the result arrives later). */
    public boolean isAsync() {
        return async;
    }

    public boolean returnsVoid() {
        return returnsVoid;
    }

    /** Whether the method declares {@code t} in its {@code throws} clause (as its class or a superclass). */
    public boolean declares(Throwable t) {
        for (Class<?> declared : exceptionTypes) {
            if (declared.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The name of {@code method} on the wire: its name and erased parameter types, e.g.
     * {@code add(int,int)} (docs/protocol.md, header {@code method}).
     */
    public static String signatureOf(Method method) {
        StringBuilder sb = new StringBuilder(method.getName()).append('(');
        Class<?>[] params = method.getParameterTypes();
        for (int i = 0; i < params.length; i++) {
            sb.append(i == 0 ? "" : ",").append(params[i].getTypeName());
        }
        return sb.append(')').toString();
    }

    /** {@link #key()} of {@code method}. */
    public static String keyOf(Method method) {
        int sameName = 0;
        for (Method m : method.getDeclaringClass().getMethods()) {
            if (m.getName().equals(method.getName()) && !java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                sameName++;
            }
        }
        if (sameName <= 1) {
            return method.getName();
        }
        StringBuilder sb = new StringBuilder(method.getName()).append('(');
        Class<?>[] params = method.getParameterTypes();
        for (int i = 0; i < params.length; i++) {
            sb.append(i == 0 ? "" : ",").append(params[i].getSimpleName());
        }
        return sb.append(')').toString();
    }

    /** {@code service.signature}, as messages name a method. */
    @Override
    public String toString() {
        return service + "." + signature;
    }
}
