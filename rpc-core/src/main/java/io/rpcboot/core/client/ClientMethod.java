package io.rpcboot.core.client;

import java.lang.reflect.Method;
import java.time.Duration;

import io.rpcboot.core.internal.metrics.Meters;
import io.rpcboot.core.RpcMethod;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.serialize.Serialization;
import io.rpcboot.core.serialize.TypeCodec;
import org.jspecify.annotations.Nullable;

/**
 * One proxied method as one reference calls it, resolved when the proxy is made: the shared
 * {@link RpcMethod}, the codecs of the reference's serialization, the timeout and the timers.
 * Immutable; read by every call of the method.
 */
final class ClientMethod {

    final RpcMethod rpcMethod;
    /** The header value, as {@link RpcMethod#signature()}; a field because every request writes it. */
    final String signature;
    final boolean async;
    final long timeoutNanos;
    final Meters.CallTimers timers;
    final TypeCodec<Object>[] parameterCodecs;
    /** Null for a void method. */
    final @Nullable TypeCodec<Object> resultCodec;
    private final String description;

    /** @throws io.rpcboot.core.SerializationException if the serialization cannot carry a parameter or the result */
    ClientMethod(String serviceName, Method method, Serialization serialization, Duration timeout, RpcMetrics metrics) {
        this.rpcMethod = new RpcMethod(serviceName, method);
        this.signature = rpcMethod.signature();
        this.async = rpcMethod.isAsync();
        this.timeoutNanos = timeout.toNanos();
        this.timers = Meters.of(metrics).callTimers(Meters.Side.CLIENT, rpcMethod);
        this.parameterCodecs = serialization.parameterCodecs(rpcMethod);
        this.resultCodec = serialization.resultCodec(rpcMethod);
        this.description = rpcMethod.toString();
    }

    /** {@code service.signature}, as messages name a method. */
    String describe() {
        return description;
    }
}
