package io.rpcboot.core.server;

/**
 * An adaptive limit on the calls of one method running at once, in the spirit of Netflix's
 * concurrency-limits (its gradient limit): the limit follows the ratio of the method's recent run
 * time to its uncongested one. While calls take as long as usual the limit grows
 * (additively, once a round of calls); when they slow down, because the method or what it calls is
 * saturated, the limit shrinks towards what the method sustains, and the excess is refused at once
 * (OVERLOADED, which consumers send elsewhere) instead of waiting in line and making every
 * admitted call slower. Thread-safe; admission is a read and a CAS, the update a short lock.
 *
 * @param initial   the limit to start from
 * @param min       the limit never goes below this
 * @param max       nor above this
 * @param tolerance how much slower than the uncongested run time recent calls may be before the limit
 *                  shrinks (1.25: 25% slower); it grows only while they are within half of that
 */
public record ConcurrencyLimit(int initial, int min, int max, double tolerance) {

    /** Start at 20, between 4 and 1000, tolerate 25% slower calls. */
    public static final ConcurrencyLimit DEFAULT = new ConcurrencyLimit(20, 4, 1000, 1.25);

    public ConcurrencyLimit {
        if (min < 1 || max < min || initial < min || initial > max) {
            throw new IllegalArgumentException("concurrency limits must be 1 <= min <= initial <= max, were min " + min
                    + ", initial " + initial + ", max " + max);
        }
        if (!(tolerance > 1)) {
            throw new IllegalArgumentException("tolerance must be > 1 (1.25: 25% slower), was " + tolerance);
        }
    }

    /** The live limit of one method. */
    static final class Limiter {
        /** Calls the baseline's moving average spans. */
        static final int BASELINE_CALLS = 200;

        private final ConcurrencyLimit config;
        private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        private volatile int limit;
        private double estimate;
        private double baseline;
        private long learned;
        private double recent;
        private long samples;
        private int sinceChange;

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

        /**
         * An admitted call ended after {@code nanos}; {@code measured}: whether its time says something
         * about load. The recent run time is an average of the last ~20 calls. The method's
         * uncongested run time (the baseline) is a long average (~{@value #BASELINE_CALLS} calls) of
         * the calls that ran while the limit was not pressed (fewer than half of it running) or could
         * go no lower (at its minimum): under overload every call waits in the same queue, and
         * learning from those would let the baseline, and the latency with it, creep up. An average,
         * not a minimum, so that a method whose run time varies is not taken for a congested one.
         * Once a round of calls (as many as the limit), the limit grows by one (log10 of it when
         * larger) while recent calls take at most half the tolerance longer than the baseline, holds
         * up to the tolerance, and shrinks in proportion past it. A lasting change of the method's own
         * run time becomes the baseline once the limit has come down to its minimum, or load has eased.
         */
        void release(long nanos, boolean measured) {
            int running = inFlight.getAndDecrement();
            if (!measured || nanos <= 0) {
                return;
            }
            synchronized (this) {
                samples++;
                recent = recent == 0 ? nanos : recent * 0.95 + nanos * 0.05; // the last ~20 calls
                if (learned < 10 || running < estimate / 2 || estimate <= config.min()) {
                    learned++; // a plain mean of the first calls (whatever the load), then a moving average
                    double weight = Math.max(1.0 / BASELINE_CALLS, 1.0 / learned);
                    baseline = baseline * (1 - weight) + nanos * weight;
                }
                if (samples < 20) {
                    return;
                }
                // only a limit that is used says something: don't grow one the traffic never reaches
                if (running < estimate / 2) {
                    return;
                }
                // one change a round of calls (as many as the limit): a change shows in run times
                // only once the calls it let in have run, and changing sooner overshoots
                if (++sinceChange < estimate) {
                    return;
                }
                sinceChange = 0;
                double congestion = recent / baseline;
                if (congestion <= 1 + (config.tolerance() - 1) / 2) { // well within the tolerance: grow
                    estimate = Math.min(config.max(), estimate + Math.max(1, Math.log10(estimate)));
                } else if (congestion > config.tolerance()) {
                    estimate = Math.max(config.min(), estimate * Math.max(0.5, config.tolerance() / congestion));
                } // between the two: hold
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
