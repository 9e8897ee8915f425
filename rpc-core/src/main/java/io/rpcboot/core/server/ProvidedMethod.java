package io.rpcboot.core.server;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.concurrent.CompletionStage;

import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.internal.protocol.Headers;
import io.rpcboot.core.serialize.BinaryReader;
import io.rpcboot.core.serialize.Serialization;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.SerializationException;
import io.rpcboot.core.serialize.TypeCodec;

/**
 * One method of one published service, resolved once at registration: a method handle bound to
 * the implementation, the codecs of its parameters and result for every serialization, and its
 * timers. Nothing here is looked up per call.
 */
final class ProvidedMethod {

    final String signature;
    final String serviceName;
    final boolean async;
    final boolean returnsVoid;
    final RpcMetrics.CallTimers timers;
    private final MethodHandle invoker; // (Object[])Object
    private final int parameterCount;
    /** Indexed by serialization id: parameter codecs, then the result codec. */
    private final TypeCodec<Object>[][] codecs;

    @SuppressWarnings("unchecked")
    ProvidedMethod(String serviceName, Method method, Object implementation, Serializations serializations,
                   RpcMetrics metrics) {
        this.serviceName = serviceName;
        this.signature = Headers.methodValue(method);
        this.parameterCount = method.getParameterCount();
        Class<?> returnType = method.getReturnType();
        this.async = CompletionStage.class.isAssignableFrom(returnType);
        this.returnsVoid = returnType == void.class;
        this.timers = metrics.callTimers(RpcMetrics.Side.SERVER, serviceName, signature);
        try {
            method.setAccessible(true); // the interface may be package-private
            this.invoker = MethodHandles.lookup().unreflect(method).bindTo(implementation)
                    .asSpreader(Object[].class, parameterCount)
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (IllegalAccessException | RuntimeException e) {
            throw new IllegalArgumentException("cannot call " + serviceName + "." + signature + ": " + e.getMessage(), e);
        }
        Type resultType = resultType(method);
        this.codecs = new TypeCodec[256][];
        for (Serialization s : serializations.all()) {
            TypeCodec<Object>[] forOne = new TypeCodec[parameterCount + 1];
            try {
                Type[] params = method.getGenericParameterTypes();
                for (int i = 0; i < parameterCount; i++) {
                    forOne[i] = s.codec(params[i]);
                }
                forOne[parameterCount] = returnsVoid ? null : s.codec(resultType);
            } catch (SerializationException e) {
                throw new IllegalArgumentException("cannot publish " + serviceName + "." + signature + " with the "
                        + s.name() + " serialization: " + e.getMessage(), e);
            }
            codecs[s.id()] = forOne;
        }
    }

    /** The declared result: T for a {@code CompletableFuture<T>}, else the return type. */
    static Type resultType(Method method) {
        Type type = method.getGenericReturnType();
        if (CompletionStage.class.isAssignableFrom(method.getReturnType())) {
            return type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
        }
        return type;
    }

    boolean supports(int serializationId) {
        return serializationId > 0 && serializationId < 256 && codecs[serializationId] != null;
    }

    Object[] readArguments(int serializationId, BinaryReader in) {
        TypeCodec<Object>[] c = codecs[serializationId];
        Object[] args = new Object[parameterCount];
        for (int i = 0; i < parameterCount; i++) {
            args[i] = c[i].read(in);
        }
        if (in.hasRemaining()) {
            throw new SerializationException(in.remaining() + " bytes left after the " + parameterCount + " arguments");
        }
        return args;
    }

    TypeCodec<Object> resultCodec(int serializationId) {
        return codecs[serializationId][parameterCount];
    }

    Object invoke(Object[] args) throws Throwable {
        return (Object) invoker.invokeExact(args);
    }
}
