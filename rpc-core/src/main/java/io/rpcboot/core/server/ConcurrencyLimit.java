package io.rpcboot.core.server;

/**
 * An adaptive limit on the calls of one method running at once, in the spirit of Netflix's
 * concurrency-limits (its gradient limit): the limit follows the ratio of the method's long-term
 * run time to its recent one. While calls take as long as usual the limit grows (by a queue
 * allowance of its square root); when they slow down, because the method or what it calls is
 * saturated, the limit shrinks towards what the method sustains, and the excess is refused at once
 * (OVERLOADED, which consumers send elsewhere) instead of waiting in line and making every
 * admitted call slower. Thread-safe; admission is a read and a CAS, the update a short lock.
 *
 * @param initial   the limit to start from
 * @param min       the limit never goes below this
 * @param max       nor above this
 * @param tolerance how much slower than the long-term run time recent calls may be before the limit
 *                  shrinks (1.5: 50% slower)
 */
public record ConcurrencyLimit(int initial, int min, int max, double tolerance) {

    /** Start at 20, between 4 and 1000, tolerate 50% slower calls. */
    public static final ConcurrencyLimit DEFAULT = new ConcurrencyLimit(20, 4, 1000, 1.5);

    public ConcurrencyLimit {
        if (min < 1 || max < min || initial < min || initial > max) {
            throw new IllegalArgumentException("concurrency limits must be 1 <= min <= initial <= max, were min " + min
                    + ", initial " + initial + ", max " + max);
        }
        if (!(tolerance >= 1)) {
            throw new IllegalArgumentException("tolerance must be >= 1, was " + tolerance);
        }
    }

    /** The live limit of one method. */
    static final class Limiter {
        private final ConcurrencyLimit config;
        private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        private volatile int limit;
        private double estimate;
        private double longRtt;
        private double shortRtt;
        private long samples;

        Limiter(ConcurrencyLimit config) {
            this.config = config;
            this.limit = config.initial();
            this.estimate = config.initial();
        }

        /** Whether one more call may run now; if so the caller must {@link #release} it. */
        boolean tryAcquire() {
            while (true) {
                int n = inFlight.get();
                if (n >= limit) {
                    return false;
                }
                if (inFlight.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        /** An admitted call ended after {@code nanos}; {@code measured}: whether its time says something about load. */
        void release(long nanos, boolean measured) {
            int running = inFlight.getAndDecrement();
            if (!measured || nanos <= 0) {
                return;
            }
            synchronized (this) {
                samples++;
                // the recent run time reacts within ~10 calls, the long-term one within ~600
                shortRtt = shortRtt == 0 ? nanos : shortRtt * 0.9 + nanos * 0.1;
                longRtt = longRtt == 0 ? nanos : longRtt * (1 - 1.0 / 600) + nanos / 600.0;
                if (samples < 10) {
                    return;
                }
                if (longRtt > shortRtt * 2) { // a slow period has ended: let the long-term time catch up
                    longRtt = longRtt * 0.95;
                }
                // only a limit that is used says something: don't grow one the traffic never reaches
                if (running < estimate / 2) {
                    return;
                }
                double gradient = Math.max(0.5, Math.min(1.0, config.tolerance() * longRtt / shortRtt));
                double next = estimate * gradient + Math.sqrt(estimate);
                estimate = Math.max(config.min(), Math.min(config.max(), estimate * 0.8 + next * 0.2));
                limit = (int) estimate;
            }
        }

        int limit() {
            return limit;
        }

        int inFlight() {
            return inFlight.get();
        }
    }
}
