package io.rpcboot.core.client;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When a client stops sending calls to one provider address, and how it takes them back, in the
 * manner of Envoy's outlier detection:
 * <ul>
 *   <li><b>Ejection.</b> After {@code consecutiveFailures} failures in a row there (a connection
 *       refused or lost, a try that timed out, an INTERNAL answer), or when at least
 *       {@code failureRatePercent} of at least {@code failureRateMinimumCalls} tries within
 *       {@code failureRateInterval} failed, the address is ejected for {@code baseEjection}, twice as
 *       long each time it is ejected again, at most {@code maxEjection}. Answers that say the provider
 *       is healthy but busy (OVERLOADED, DRAINING) count neither way.</li>
 *   <li><b>Share.</b> A reference never leaves out more than {@code maxEjectedPercent} of its
 *       instances (and never its last one): past that, ejected instances are still tried.</li>
 *   <li><b>Probing.</b> An ejected address comes back only when its ejection is over <em>and</em> a
 *       background probe (a connection and a heartbeat answered) succeeds; an address that refused a
 *       connection gets no calls until a probe connects. User calls are not the probes.</li>
 *   <li><b>Slow start.</b> An address that comes back, or joins a reference that already has
 *       instances, takes a share of its calls that grows linearly from 10% to all of it over
 *       {@code slowStart}, whatever the balancer.</li>
 * </ul>
 *
 * @param consecutiveFailures     failures in a row that eject an address; 0 turns this rule off
 * @param failureRatePercent      share of failed tries (1..100) that ejects an address; 0 turns this rule off
 * @param failureRateMinimumCalls tries an address must have had within the interval before its failure rate counts
 * @param failureRateInterval     how far back the failure rate looks
 * @param slowStart               how long the share of a returning or new address takes to grow to
 *                                its full share; zero turns slow start off
 */
public record OutlierDetection(int consecutiveFailures, Duration baseEjection, Duration maxEjection,
                               int maxEjectedPercent, int failureRatePercent, int failureRateMinimumCalls,
                               Duration failureRateInterval, Duration slowStart) {

    /**
     * 5 failures in a row, or half of at least 20 tries within 10 s, eject for 30 s, doubling up to
     * 5 min; at most two thirds of a reference's instances (two bad ones of three), never its last;
     * 30 s of slow start.
     */
    public static final OutlierDetection DEFAULT = new OutlierDetection(5, Duration.ofSeconds(30), Duration.ofMinutes(5),
            67, 50, 20, Duration.ofSeconds(10), Duration.ofSeconds(30));

    /** The share of its calls a slow-starting address takes at first. */
    static final double SLOW_START_FLOOR = 0.1;

    public OutlierDetection {
        if (consecutiveFailures < 0) {
            throw new IllegalArgumentException("consecutiveFailures must be >= 0 (0 = off), was " + consecutiveFailures);
        }
        if (baseEjection.isNegative() || baseEjection.isZero() || maxEjection.compareTo(baseEjection) < 0) {
            throw new IllegalArgumentException("baseEjection must be > 0 and maxEjection >= it, were " + baseEjection
                    + " and " + maxEjection);
        }
        if (maxEjectedPercent < 0 || maxEjectedPercent > 100) {
            throw new IllegalArgumentException("maxEjectedPercent must be 0..100, was " + maxEjectedPercent);
        }
        if (failureRatePercent < 0 || failureRatePercent > 100) {
            throw new IllegalArgumentException("failureRatePercent must be 0..100 (0 = off), was " + failureRatePercent);
        }
        if (failureRateMinimumCalls < 1) {
            throw new IllegalArgumentException("failureRateMinimumCalls must be >= 1, was " + failureRateMinimumCalls);
        }
        if (failureRateInterval.isNegative() || failureRateInterval.isZero()) {
            throw new IllegalArgumentException("failureRateInterval must be > 0, was " + failureRateInterval);
        }
        if (slowStart.isNegative()) {
            throw new IllegalArgumentException("slowStart must be >= 0 (0 = off), was " + slowStart);
        }
    }

    /** Only the consecutive-failures rule, no failure-rate rule, 30 s of slow start. */
    public OutlierDetection(int consecutiveFailures, Duration baseEjection, Duration maxEjection, int maxEjectedPercent) {
        this(consecutiveFailures, baseEjection, maxEjection, maxEjectedPercent, 0, 20, Duration.ofSeconds(10),
                Duration.ofSeconds(30));
    }

    /** The rules that eject, for messages: e.g. {@code 5 times in a row, or on 50% of at least 20 tries within 10 s}. */
    String describeRules() {
        String streak = consecutiveFailures == 0 ? "" : consecutiveFailures + " times in a row";
        String rate = failureRatePercent == 0 ? "" : "on " + failureRatePercent + "% of at least " + failureRateMinimumCalls
                + " tries within " + failureRateInterval.toMillis() / 1000.0 + " s";
        return streak.isEmpty() ? rate : rate.isEmpty() ? streak : streak + ", or " + rate;
    }

    /** The health of one address as one client sees it. Thread-safe. */
    static final class State {
        private final OutlierDetection config;
        private int consecutive;
        private int ejections;
        private volatile long ejectedUntil;
        /** Set on ejection; cleared only by a probe that succeeds once the ejection is over. */
        private volatile boolean ejected;
        /** Tries that succeeded since {@link #windowStart} (counted without a lock: the common path). */
        private final AtomicInteger windowSuccesses = new AtomicInteger();
        private int windowFailures;
        private long windowStart;
        /**
         * Whether a failure-rate window is open (from a failure on). Successes are counted only then:
         * opening a window resets the count anyway, so an address that never fails pays one volatile
         * read per answer, not an atomic increment.
         */
        private volatile boolean windowStarted;

        State(OutlierDetection config) {
            this.config = config;
        }

        /** The address answered as a healthy instance does. */
        void succeeded() {
            if (windowStarted) {
                windowSuccesses.incrementAndGet();
            }
            if (consecutive != 0) {
                synchronized (this) {
                    consecutive = 0;
                }
            }
        }

        /** A failure there; true when it ejects the address now. */
        synchronized boolean failed(long nowNanos) {
            if (ejected) {
                return false;
            }
            boolean eject = config.consecutiveFailures != 0 && ++consecutive >= config.consecutiveFailures;
            if (config.failureRatePercent != 0) {
                if (!windowStarted || nowNanos - windowStart > config.failureRateInterval.toNanos()) {
                    windowStarted = true;
                    windowStart = nowNanos;
                    windowFailures = 0;
                    windowSuccesses.set(0);
                }
                int failures = ++windowFailures;
                int calls = failures + windowSuccesses.get();
                eject |= calls >= config.failureRateMinimumCalls
                        && failures * 100L >= (long) config.failureRatePercent * calls;
            }
            if (!eject) {
                return false;
            }
            long base = config.baseEjection.toNanos();
            long nanos = Math.min(config.maxEjection.toNanos(), base << Math.min(ejections, 20));
            ejections++;
            consecutive = 0;
            windowStarted = false;
            ejectedUntil = nowNanos + nanos;
            ejected = true;
            return true;
        }

        /** Whether the address is ejected: from its ejection until a probe after it succeeds. No clock read. */
        boolean isEjected() {
            return ejected;
        }

        /** Whether a probe that succeeded now readmits the address (its ejection is over); then it is back. */
        synchronized boolean probeSucceeded(long nowNanos) {
            if (!ejected || nowNanos - ejectedUntil < 0) {
                return false;
            }
            ejected = false; // on probation: one more failure streak ejects it for longer
            return true;
        }

        /** When the ejection ends, in nanoTime terms (meaningful while ejected). */
        long ejectedUntil() {
            return ejectedUntil;
        }

        synchronized int ejections() {
            return ejections;
        }
    }
}
