package io.rpcboot.core.client;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.jspecify.annotations.Nullable;

/**
 * Settings of one method of a reference, overriding the reference's own and the method's
 * {@link io.rpcboot.annotation.RpcMethodOptions}. A null setting means "not set here". Methods are
 * named by {@link io.rpcboot.core.RpcMethod#key()}: the method's name, or {@code name(Type,...)}
 * with simple parameter type names when the interface overloads the name; the same key tags the
 * method's meters.
 *
 * @param timeout    deadline of each call
 * @param idempotent whether running the method twice is harmless, which allows retries of calls that may have run
 * @param retries    retries of calls that may have run; honoured only when idempotent
 * @param circuitBreaker a breaker of this method's own, instead of the reference's
 *                   ({@link ReferenceConfig#circuitBreaker()}); see {@link RpcCircuitBreakers}
 * @param oneWay     for a {@code void} method: fire and forget. The call is sent as one UDP datagram to an
 *                   instance that takes them (its provider set {@code rpc.server.udp.enabled}), with no answer
 *                   and no delivery guarantee, and returns as soon as it is sent; to an instance that does not,
 *                   or when the call does not fit a datagram, it is an ordinary call
 */
public record MethodConfig(@Nullable Duration timeout, @Nullable Boolean idempotent, @Nullable Integer retries,
                           @Nullable CircuitBreaker circuitBreaker, @Nullable Boolean oneWay) {

    public static final MethodConfig NONE = new MethodConfig(null, null, null, null, null);

    private static final Pattern SIMPLE = Pattern.compile("^(\\d+)\\s*(ns|us|ms|s|m|h|d)?$");

    public MethodConfig {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be > 0, was " + timeout);
        }
        if (retries != null && retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, was " + retries);
        }
    }

    /** Settings without a breaker of the method's own. */
    public MethodConfig(@Nullable Duration timeout, @Nullable Boolean idempotent, @Nullable Integer retries) {
        this(timeout, idempotent, retries, null, null);
    }

    /** Settings that say nothing of one-way. */
    public MethodConfig(@Nullable Duration timeout, @Nullable Boolean idempotent, @Nullable Integer retries,
                        @Nullable CircuitBreaker circuitBreaker) {
        this(timeout, idempotent, retries, circuitBreaker, null);
    }

    public static MethodConfig timeout(Duration timeout) {
        return new MethodConfig(timeout, null, null, null, null);
    }

    /** A breaker of the method's own. */
    public static MethodConfig circuitBreaker(CircuitBreaker breaker) {
        return new MethodConfig(null, null, null, breaker, null);
    }

    /** A {@code void} method called fire-and-forget, by UDP where the provider takes it (see {@link #oneWay()}). */
    public static MethodConfig oneWayCall() {
        return new MethodConfig(null, null, null, null, true);
    }

    /** This config with every setting {@code other} sets replaced by {@code other}'s. */
    public MethodConfig overriddenBy(MethodConfig other) {
        return new MethodConfig(other.timeout != null ? other.timeout : timeout,
                other.idempotent != null ? other.idempotent : idempotent, other.retries != null ? other.retries : retries,
                other.circuitBreaker != null ? other.circuitBreaker : circuitBreaker,
                other.oneWay != null ? other.oneWay : oneWay);
    }

    /**
     * A duration as annotations write it: {@code 300ms}, {@code 2s}, {@code 1m}, a number of
     * milliseconds, or ISO-8601 ({@code PT0.3S}).
     *
     * @throws IllegalArgumentException naming the text when it is none of those
     */
    public static Duration parseDuration(String text) {
        String t = text.strip();
        Matcher m = SIMPLE.matcher(t.toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "ms" : m.group(2);
                return switch (unit) {
                    case "ns" -> Duration.ofNanos(n);
                    case "us" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            return Duration.parse(t);
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 300ms, 2s or PT2S");
        }
    }
}
