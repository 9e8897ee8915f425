package io.rpcboot.core.client;

import io.rpcboot.core.internal.metrics.Meters;
import io.rpcboot.core.RpcMethod;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.serialize.Serialization;
import io.rpcboot.core.serialize.TypeCodec;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
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
    final boolean idempotent;
    /** Retries of calls that may have run: 0 unless {@link #idempotent}. */
    final int retries;
    /** The effective settings and where each came from, for operators. */
    final RpcClient.MethodInfo info;
    final Meters.CallTimers timers;
    final TypeCodec<Object>[] parameterCodecs;
    /** Null for a void method. */
    final @Nullable TypeCodec<Object> resultCodec;
    /** The breaker each call asks first: the method's own, or the reference's; null: none. */
    final @Nullable CircuitBreaker breaker;
    /** Fire-and-forget, by UDP where the instance takes it ({@link MethodConfig#oneWay()}). */
    final boolean oneWay;
    private final String description;

    /** @throws io.rpcboot.core.SerializationException if the serialization cannot carry a parameter or the result */
    ClientMethod(RpcMethod rpcMethod, Serialization serialization, RpcClient.MethodInfo settings, RpcMetrics metrics,
                 @Nullable CircuitBreaker breaker, boolean oneWay) {
        this.breaker = breaker;
        this.oneWay = oneWay;
        this.rpcMethod = rpcMethod;
        this.signature = rpcMethod.signature();
        this.async = rpcMethod.isAsync();
        this.info = settings;
        this.timeoutNanos = settings.timeout().toNanos();
        this.idempotent = settings.idempotent();
        this.retries = settings.idempotent() ? settings.retries() : 0;
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
