package io.rpcboot.core.client;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.rpcboot.core.RpcCircuitOpenException;
import io.rpcboot.core.RpcConnectionException;
import io.rpcboot.core.RpcException;
import io.rpcboot.core.RpcNoInstanceException;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.internal.metrics.Meters;
import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.metrics.Outcome;
import org.jspecify.annotations.Nullable;

/**
 * The end of a call, whatever ends it: the outcome is decided exactly once (a response, the
 * deadline, a failure and the caller's interrupt may race; one CAS picks the winner), counted in the
 * call's timer and the client's in-flight gauge, and handed to the caller's {@link CallCompletion}.
 * {@link Invocation} extends it (one object per call, not two). Any thread.
 */
abstract class CallOutcome {

    private static final VarHandle OUTCOME_DECIDED;

    static {
        try {
            OUTCOME_DECIDED = MethodHandles.lookup().findVarHandle(CallOutcome.class, "outcomeDecided", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ClientRuntime runtime;
    final ClientMethod method;
    final CallCompletion completion;
    final CallClock clock;
    final long startNanos;
    /** 0 until the call's outcome is decided, then 1; set by one CAS, whoever decides it. */
    private volatile int outcomeDecided;
    /** The breaker that let this call through, told its outcome once decided; null: none asked. */
    @Nullable CircuitBreaker permit;

    CallOutcome(ClientRuntime runtime, ClientMethod method, CallCompletion completion) {
        this.runtime = runtime;
        this.method = method;
        this.completion = completion;
        this.clock = runtime.clock;
        this.startNanos = clock.nanoTime();
    }

    /** Claims the right to decide the call's outcome; true for exactly one caller. */
    final boolean tryDecideOutcome() {
        return OUTCOME_DECIDED.compareAndSet(this, 0, 1);
    }

    final boolean isOutcomeDecided() {
        return outcomeDecided != 0;
    }

    final void succeed(@Nullable Object value) {
        if (!tryDecideOutcome()) {
            return;
        }
        long nanos = clock.nanoTime() - startNanos;
        method.timers.success(nanos);
        runtime.inFlight.decrement();
        breakerSucceeded(nanos);
        completion.succeeded(value);
    }

    final void fail(RpcException e) {
        if (!tryDecideOutcome()) {
            return;
        }
        if (e instanceof RpcTimeoutException) {
            runtime.meters().timeouts.increment();
        }
        long nanos = clock.nanoTime() - startNanos;
        recordFailure(method.timers, e, nanos);
        runtime.inFlight.decrement();
        CircuitBreaker breaker = permit;
        if (breaker != null) {
            breaker.onError(nanos, TimeUnit.NANOSECONDS, caught(e)); // a breaker configured by exception types sees those
        }
        endCurrentAttempt(e);
        completion.failed(e);
    }

    /** The {@code status} tag of a call the client ended for a reason of its own (no response said so). */
    static final String CLIENT_ERROR = "CLIENT_ERROR";
    /** The {@code status} tag of a call this client's circuit breaker refused. */
    static final String CIRCUIT_OPEN = "CIRCUIT_OPEN";
    /** The {@code status} tag of a call no instance could take: none known or left, no connection, or a lost one. */
    static final String UNAVAILABLE = "UNAVAILABLE";

    /**
     * Counts a failed call under its outcome, status and exception (docs/observability.md): a
     * provider's status where a response said it (also when every instance refused), else what the
     * client saw.
     */
    static void recordFailure(Meters.CallTimers timers, RpcException e, long nanos) {
        RpcException basis = e instanceof RpcNoInstanceException && e.getCause() instanceof RpcRemoteException r ? r : e;
        Outcome outcome;
        String status;
        if (e instanceof RpcTimeoutException) {
            outcome = Outcome.TIMEOUT;
            status = RpcStatus.DEADLINE_EXCEEDED.name();
        } else if (e instanceof RpcCircuitOpenException) {
            outcome = Outcome.REJECTED;
            status = CIRCUIT_OPEN;
        } else if (basis instanceof RpcRemoteException r) {
            outcome = Outcome.of(r.status());
            status = r.status().name();
        } else if (e instanceof RpcNoInstanceException || e instanceof RpcConnectionException) {
            outcome = Outcome.UNAVAILABLE;
            status = UNAVAILABLE;
        } else {
            outcome = Outcome.FAILURE;
            status = CLIENT_ERROR;
        }
        timers.record(outcome, status, Meters.exceptionTag(caught(e)), nanos);
    }

    /** What the caller catches: the provider's exception when it arrives as itself, else {@code e}. */
    private static Throwable caught(RpcException e) {
        return e instanceof RpcRemoteException r && r.providerException() != null ? r.providerException() : e;
    }

    private void breakerSucceeded(long nanos) {
        CircuitBreaker breaker = permit;
        if (breaker != null) {
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The call failed (its deadline, the caller or an error ended it) while an attempt may still be
     * out: forget that attempt's request id and give its lease back, so that nothing waits for an
     * answer nobody will read. A no-op when the attempt already ended. Any thread.
     */
    abstract void endCurrentAttempt(RpcException why);

    /**
     * Decodes an OK response handed over to a waiting caller ({@link CallCompletion#answered}), on
     * the caller's thread, counts the call, and releases the frame.
     */
    final @Nullable Object decodeOnCallerThread(Frame response, Endpoint from) {
        try {
            Object decoded = CallFrames.result(method, response);
            long nanos = clock.nanoTime() - startNanos;
            method.timers.success(nanos);
            breakerSucceeded(nanos);
            return decoded;
        } catch (Throwable e) {
            long nanos = clock.nanoTime() - startNanos;
            method.timers.record(Outcome.FAILURE, CLIENT_ERROR, "RpcException", nanos);
            breakerSucceeded(nanos); // the provider answered; this client could not read it
            throw new RpcException("cannot read the result of " + method.describe() + " from " + from.address
                    + ": " + e.getMessage(), e);
        } finally {
            runtime.inFlight.decrement();
            response.release();
        }
    }
}
