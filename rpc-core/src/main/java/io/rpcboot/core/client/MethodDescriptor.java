package io.rpcboot.core.client;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.internal.protocol.Headers;
import io.rpcboot.core.serialize.Serialization;
import io.rpcboot.core.serialize.TypeCodec;
import org.jspecify.annotations.Nullable;

/** One proxied method, resolved when the proxy is made: its header value, codecs, timeout and timers. */
final class MethodDescriptor {

    final String signature;
    final String serviceName;
    final boolean async;
    final boolean returnsVoid;
    final long timeoutNanos;
    final RpcMetrics.CallTimers timers;
    final TypeCodec<Object>[] parameterCodecs;
    final @Nullable TypeCodec<Object> resultCodec;

    @SuppressWarnings("unchecked")
    MethodDescriptor(String serviceName, Method method, Serialization serialization, Duration timeout, RpcMetrics metrics) {
        this.serviceName = serviceName;
        this.signature = Headers.methodValue(method);
        this.async = CompletionStage.class.isAssignableFrom(method.getReturnType());
        this.returnsVoid = method.getReturnType() == void.class;
        this.timeoutNanos = timeout.toNanos();
        this.timers = metrics.callTimers(RpcMetrics.Side.CLIENT, serviceName, signature);
        Type[] params = method.getGenericParameterTypes();
        this.parameterCodecs = new TypeCodec[params.length];
        for (int i = 0; i < params.length; i++) {
            parameterCodecs[i] = serialization.codec(params[i]);
        }
        Type result = method.getGenericReturnType();
        if (async) {
            result = result instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
        }
        this.resultCodec = returnsVoid ? null : serialization.codec(result);
    }

    String describe() {
        return serviceName + "." + signature;
    }
}
