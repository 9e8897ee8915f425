package io.rpcboot.core.server;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.rpcboot.core.internal.metrics.Meters;
import io.rpcboot.core.RpcMethod;
import io.rpcboot.core.SerializationException;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.serialize.BinaryReader;
import io.rpcboot.core.serialize.Serialization;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.serialize.TypeCodec;
import io.rpcboot.core.registry.ServiceKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * One method of one published service, resolved once at registration: the {@link RpcMethod} (what
 * the client resolves too), a method handle bound to the implementation, the codecs of its
 * parameters and result for every serialization, and its timers. Nothing here is looked up per call.
 */
final class ProvidedMethod {

    final ServiceKey key;
    final RpcMethod rpcMethod;
    /** When this method last logged an undeclared exception's stack trace (nanoTime), and how many it held back since. */
    private final AtomicLong lastErrorLogged = new AtomicLong(System.nanoTime() - ERROR_LOG_INTERVAL_NANOS);
    private final AtomicInteger errorsHeldBack = new AtomicInteger();
    final boolean async;
    final boolean returnsVoid;
    final Meters.CallTimers timers;
    /** The timers of calls made over HTTP (tag {@code protocol=http}); registered only when one is. */
    final Meters.CallTimers httpTimers;
    /** The timers of one-way calls that came as datagrams (tag {@code protocol=udp}). */
    final Meters.CallTimers udpTimers;
    private final MethodHandle invoker; // (Object[])Object
    /** The service's rate limit and this method's own, each null when there is none. */
    private volatile @Nullable RateLimiter serviceRate;
    private volatile @Nullable RateLimiter methodRate;
    /** This method's adaptive concurrency limit, when the server has one; set once at publication. */
    volatile ConcurrencyLimit.@Nullable Limiter concurrency;
    /** Where calls run; set once at publication. */
    volatile ExecutionMode execution = ExecutionMode.POOL;
    /** What {@link ExecutionMode#ADAPTIVE} learned of this method; null under the other modes. */
    volatile @Nullable AdaptiveExecution adaptive;
    private final int parameterCount;
    /** Indexed by serialization id: the parameter codecs; null where the serialization is absent. */
    private final TypeCodec<Object>[][] parameterCodecs;
    /** Indexed by serialization id: the result codec (null for a void method, or where the serialization is absent). */
    private final @Nullable TypeCodec<Object>[] resultCodecs;

    @SuppressWarnings({"unchecked", "rawtypes"})
    ProvidedMethod(ServiceKey key, Method method, Object implementation, Serializations serializations,
                   RpcMetrics metrics) {
        this.key = key;
        this.rpcMethod = new RpcMethod(key.interfaceName(), method);
        this.parameterCount = rpcMethod.parameterCount();
        this.async = rpcMethod.isAsync();
        this.returnsVoid = rpcMethod.returnsVoid();
        this.timers = Meters.of(metrics).serverCallTimers(rpcMethod, Meters.PROTOCOL_BINARY);
        this.httpTimers = Meters.of(metrics).serverCallTimers(rpcMethod, Meters.PROTOCOL_HTTP);
        this.udpTimers = Meters.of(metrics).serverCallTimers(rpcMethod, Meters.PROTOCOL_UDP);
        try {
            method.setAccessible(true); // the interface may be package-private
            this.invoker = MethodHandles.lookup().unreflect(method).bindTo(implementation)
                    .asSpreader(Object[].class, parameterCount)
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (IllegalAccessException | RuntimeException e) {
            throw new IllegalArgumentException("cannot call " + rpcMethod + ": " + e.getMessage(), e);
        }
        this.parameterCodecs = new TypeCodec[256][];
        this.resultCodecs = new TypeCodec[256];
        for (Serialization s : serializations.all()) {
            try {
                parameterCodecs[s.id()] = s.parameterCodecs(rpcMethod);
                resultCodecs[s.id()] = s.resultCodec(rpcMethod);
            } catch (SerializationException e) {
                throw new IllegalArgumentException("cannot publish " + rpcMethod + " with the "
                        + s.name() + " serialization: " + e.getMessage(), e);
            }
        }
    }

    void rateLimits(@Nullable RateLimiter service, @Nullable RateLimiter method) {
        this.serviceRate = service;
        this.methodRate = method;
    }

    /**
     * Null when a call may start now (it is counted against the limits); otherwise why not: the
     * method's, or its service's, rate limit.
     */
    @Nullable String admit(long nowNanos) {
        RateLimiter m = methodRate;
        if (m != null && !m.tryAcquire(nowNanos)) {
            return rpcMethod + " is limited to " + m.perSecond() + " calls a second on this server";
        }
        RateLimiter s = serviceRate;
        if (s != null && !s.tryAcquire(nowNanos)) {
            return key + " is limited to " + s.perSecond() + " calls a second on this server";
        }
        return null;
    }

    /** Runs this method's calls under {@code mode} from now on. */
    void execute(ExecutionMode mode, RpcMetrics metrics) {
        Meters meters = Meters.of(metrics);
        adaptive = mode != ExecutionMode.ADAPTIVE ? null : new AdaptiveExecution(describe(),
                meters.serverExecutionMoves(rpcMethod, "loop"), meters.serverExecutionMoves(rpcMethod, "pool"));
        execution = mode;
    }

    /** {@code service.signature}, as messages name a method. */
    String describe() {
        return rpcMethod.toString();
    }

    boolean supports(int serializationId) {
        return serializationId > 0 && serializationId < 256 && parameterCodecs[serializationId] != null;
    }

    Object[] readArguments(int serializationId, BinaryReader in) {
        TypeCodec<Object>[] c = parameterCodecs[serializationId];
        Object[] args = new Object[parameterCount];
        for (int i = 0; i < parameterCount; i++) {
            args[i] = c[i].read(in);
        }
        if (in.hasRemaining()) {
            throw new SerializationException(in.remaining() + " bytes left after the " + parameterCount + " arguments");
        }
        return args;
    }

    /** Null for a void method. */
    @Nullable TypeCodec<Object> resultCodec(int serializationId) {
        return resultCodecs[serializationId];
    }

    /** At most one stack trace per method in this interval. */
    static final long ERROR_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Whether the method declares {@code t} ({@code throws}): a business outcome, not a bug. */
    boolean declares(Throwable t) {
        return rpcMethod.declares(t);
    }

    /**
     * Logs what the method threw: a declared exception at DEBUG; anything else at {@code level}
     * with its stack trace, at most once per {@link #ERROR_LOG_INTERVAL_NANOS} (saying how many were
     * held back), the rest at DEBUG.
     */
    void logFailure(Logger log, Level level, Throwable t) {
        if (declares(t)) {
            log.debug("{} threw {}", rpcMethod, t.toString());
            return;
        }
        long now = System.nanoTime();
        long last = lastErrorLogged.get();
        if (now - last >= ERROR_LOG_INTERVAL_NANOS && lastErrorLogged.compareAndSet(last, now)) {
            int heldBack = errorsHeldBack.getAndSet(0);
            log.atLevel(level).setCause(t).log("{} threw {}{}", rpcMethod, t.getClass().getName(),
                    heldBack == 0 ? "" : " (" + heldBack + " more since the last one logged, held back)");
        } else {
            errorsHeldBack.incrementAndGet();
            log.debug("{} threw {}", rpcMethod, t.toString());
        }
    }

    Object invoke(Object[] args) throws Throwable {
        return (Object) invoker.invokeExact(args);
    }
}
