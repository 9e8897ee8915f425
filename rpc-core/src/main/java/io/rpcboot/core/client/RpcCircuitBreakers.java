package io.rpcboot.core.client;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.rpcboot.core.RpcCircuitOpenException;
import io.rpcboot.core.RpcConnectionException;
import io.rpcboot.core.RpcNoInstanceException;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcTimeoutException;

/**
 * How references use Resilience4j's {@link CircuitBreaker}. A breaker sits in front of the whole
 * call (after retries and instance choice): it asks the breaker for permission when the call
 * starts, refuses it at once with {@link RpcCircuitOpenException} when the breaker says no, and
 * reports the call's duration and outcome when it ends. Which failures count is the breaker's own
 * {@link CircuitBreakerConfig#getRecordExceptionPredicate() record predicate}: {@link #config()}
 * records only {@linkplain #isFailure failures to get a provider's answer}, so a provider's own
 * exception (a business error) or a bad request never opens a breaker.
 */
public final class RpcCircuitBreakers {

    private RpcCircuitBreakers() {
    }

    /**
     * Whether {@code failure} means that no provider answered the call as a healthy one does: a
     * timeout, no instance, a connection refused or lost, an OVERLOADED, DRAINING, INTERNAL or
     * UNKNOWN answer, or a breaker that refused it. Not: an exception the provider's method threw,
     * a bad request, or a denied one (those would be the same on every instance, and a fallback
     * would hide them).
     */
    public static boolean isFailure(Throwable failure) {
        if (failure instanceof RpcCircuitOpenException || failure instanceof RpcTimeoutException
                || failure instanceof RpcNoInstanceException || failure instanceof RpcConnectionException) {
            return true;
        }
        if (failure instanceof RpcRemoteException r) {
            return r.providerException() == null && switch (r.status()) {
                case OVERLOADED, DRAINING, INTERNAL, UNKNOWN, DEADLINE_EXCEEDED, DEADLINE_EXCEEDED_WHILE_RUNNING -> true;
                default -> false;
            };
        }
        return false;
    }

    /**
     * The defaults of a reference's breaker: it opens when at least half of the last 100 calls (and
     * at least 20) {@linkplain #isFailure failed}, or when all of them took longer than 60 s; it
     * stays open 10 s, then lets 5 trial calls through.
     */
    public static CircuitBreakerConfig.Builder config() {
        return config(Duration.ofSeconds(10));
    }

    /**
     * {@link #config()} with another wait in the open state (Resilience4j's builder takes that wait
     * once only).
     */
    public static CircuitBreakerConfig.Builder config(Duration waitInOpenState) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(100)
                .minimumNumberOfCalls(20)
                .failureRateThreshold(50)
                .slowCallRateThreshold(100)
                .slowCallDurationThreshold(Duration.ofSeconds(60))
                .waitDurationInOpenState(waitInOpenState)
                .permittedNumberOfCallsInHalfOpenState(5)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(RpcCircuitBreakers::isFailure);
    }

    /** What a refused call says: the breaker, its state and failure rate, and what happens next. */
    static RpcCircuitOpenException refused(CircuitBreaker breaker, ClientMethod method) {
        CircuitBreaker.Metrics m = breaker.getMetrics();
        float rate = m.getFailureRate();
        return new RpcCircuitOpenException("circuit breaker '" + breaker.getName() + "' is " + breaker.getState()
                + ": " + method.describe() + " was not sent (" + (rate >= 0 ? "failure rate " + rate + "% of the last "
                + m.getNumberOfBufferedCalls() + " calls" : "too few calls measured") + "; it lets trial calls through after "
                + breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1) + " ms open)",
                breaker.getName());
    }
}
