package io.rpcboot.core.client;

import java.time.Duration;

/**
 * When a client stops sending calls to one provider address: after {@code consecutiveFailures}
 * failures in a row there (a connection refused or lost, a try that timed out, an INTERNAL answer),
 * the address is ejected for {@code baseEjection}, twice as long each time it is ejected again, at
 * most {@code maxEjection}. A reference never leaves out more than {@code maxEjectedPercent} of its
 * instances (and never its last one): past that, ejected instances are still tried. Answers that say
 * the provider is healthy but busy (OVERLOADED, DRAINING) neither count nor reset; any other answer
 * resets the count. As Envoy's outlier detection does for consecutive errors.
 *
 * @param consecutiveFailures failures in a row that eject an address; 0 turns ejection off
 */
public record OutlierDetection(int consecutiveFailures, Duration baseEjection, Duration maxEjection,
                               int maxEjectedPercent) {

    /** 5 failures in a row eject for 30 s, doubling up to 5 min; at most half of a reference's instances. */
    public static final OutlierDetection DEFAULT = new OutlierDetection(5, Duration.ofSeconds(30), Duration.ofMinutes(5),
            50);

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
    }

    /** The health of one address as one client sees it. Thread-safe. */
    static final class State {
        private final OutlierDetection config;
        private int consecutive;
        private int ejections;
        private volatile long ejectedUntil;
        private volatile boolean ejected;

        State(OutlierDetection config) {
            this.config = config;
        }

        /** The address answered as a healthy instance does. */
        void succeeded() {
            if (consecutive != 0) {
                synchronized (this) {
                    consecutive = 0;
                }
            }
        }

        /** A failure there; true when it ejects the address now. */
        synchronized boolean failed(long nowNanos) {
            if (config.consecutiveFailures() == 0 || isEjected(nowNanos)) {
                return false;
            }
            if (++consecutive < config.consecutiveFailures()) {
                return false;
            }
            long base = config.baseEjection().toNanos();
            long nanos = Math.min(config.maxEjection().toNanos(), base << Math.min(ejections, 20));
            ejections++;
            consecutive = 0;
            ejectedUntil = nowNanos + nanos;
            ejected = true;
            return true;
        }

        /** Whether an ejection may be under way, without reading the clock: the common case is no. */
        boolean mayBeEjected() {
            return ejected;
        }

        boolean isEjected(long nowNanos) {
            if (!ejected) {
                return false;
            }
            if (nowNanos - ejectedUntil >= 0) {
                ejected = false; // back on probation: one more failure streak ejects it for longer
                return false;
            }
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
