package io.rpcboot.core.client;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many retries one client may send: at most {@code ratio} of its calls of the last
 * {@code window}, plus {@code minPerSecond} retries a second whatever the traffic (so that a quiet
 * client can still retry). Retries of calls that may have run (idempotent methods) and of calls a
 * provider refused without running them (overloaded, draining, unknown) draw on the same budget; a
 * retry it refuses ends the call with its last failure. This is what keeps retries from multiplying
 * the load on providers during an incident, as Finagle's and gRPC's retry budgets do.
 *
 * @param ratio        retries per call allowed, 0..1 (0.2: one retry for every five calls)
 * @param minPerSecond retries a second allowed on top of the ratio
 * @param window       how far back calls and retries are counted (1 s .. 10 min, whole seconds)
 */
public record RetryBudget(double ratio, int minPerSecond, Duration window) {

    /** 20% of calls plus 10 a second, counted over 10 s: safe for a first deployment. */
    public static final RetryBudget DEFAULT = new RetryBudget(0.2, 10, Duration.ofSeconds(10));

    public RetryBudget {
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("ratio must be 0..1, was " + ratio);
        }
        if (minPerSecond < 0) {
            throw new IllegalArgumentException("minPerSecond must be >= 0, was " + minPerSecond);
        }
        if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("window must be 1s..10m, was " + window);
        }
    }

    /**
     * The counts behind the budget: calls and retries per second over the window, in a ring of
     * one-second slots that a slot's first use of a new second resets. Lock-free; calls are counted
     * in striped adders, so that the callers of a busy client do not contend on one counter; an
     * increment racing a reset may be lost, which errs by one call or retry in a window of thousands.
     */
    static final class Ledger {
        private final RetryBudget budget;
        private final int slots;
        private final AtomicLongArray seconds;
        private final java.util.concurrent.atomic.LongAdder[] calls;
        private final AtomicLongArray retries;

        Ledger(RetryBudget budget) {
            this.budget = budget;
            this.slots = (int) Math.max(1, budget.window().toSeconds());
            this.seconds = new AtomicLongArray(slots);
            this.calls = new java.util.concurrent.atomic.LongAdder[slots];
            for (int i = 0; i < slots; i++) {
                calls[i] = new java.util.concurrent.atomic.LongAdder();
            }
            this.retries = new AtomicLongArray(slots);
        }

        /** A new call (not a retry). */
        void called(long nowNanos) {
            calls[slot(nowNanos)].increment();
        }

        /** Whether one more retry fits the budget now; if so it is counted. */
        boolean tryRetry(long nowNanos) {
            int current = slot(nowNanos);
            long second = seconds.get(current);
            long callsInWindow = 0;
            long retriesInWindow = 0;
            for (int i = 0; i < slots; i++) {
                if (second - seconds.get(i) < slots) {
                    callsInWindow += calls[i].sum();
                    retriesInWindow += retries.get(i);
                }
            }
            double allowed = budget.ratio() * callsInWindow + (double) budget.minPerSecond() * slots;
            if (retriesInWindow + 1 > allowed) {
                return false;
            }
            retries.incrementAndGet(current);
            return true;
        }

        private int slot(long nowNanos) {
            long second = Math.floorDiv(nowNanos, 1_000_000_000L);
            int i = (int) Math.floorMod(second, (long) slots);
            long seen = seconds.get(i);
            if (seen != second && seconds.compareAndSet(i, seen, second)) {
                calls[i].reset();
                retries.set(i, 0);
            }
            return i;
        }
    }
}
