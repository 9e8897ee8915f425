package io.rpcboot.core.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * At most {@code perSecond} calls a second, with bursts of a tenth of a second's worth (at least one):
 * the generic cell rate algorithm, one CAS per admitted call, no lock and no timer. Over any span of
 * T seconds it admits at most {@code perSecond x T + burst}.
 */
final class RateLimiter {

    private final double perSecond;
    private final long intervalNanos;
    private final long toleranceNanos;
    /** The theoretical arrival time of the next call, in {@link System#nanoTime()} terms. */
    private final AtomicLong nextFree;

    RateLimiter(double perSecond, long nowNanos) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("a rate limit must be > 0 calls a second, was " + perSecond);
        }
        this.perSecond = perSecond;
        this.intervalNanos = Math.max(1, (long) (1_000_000_000L / perSecond));
        long burst = Math.max(1, (long) Math.floor(perSecond / 10));
        this.toleranceNanos = (burst - 1) * intervalNanos;
        this.nextFree = new AtomicLong(nowNanos);
    }

    /** Whether a call may start now; if so it is counted. */
    boolean tryAcquire(long nowNanos) {
        while (true) {
            long tat = nextFree.get();
            long start = tat - nowNanos > 0 ? tat : nowNanos;
            if (start - nowNanos > toleranceNanos) {
                return false;
            }
            if (nextFree.compareAndSet(tat, start + intervalNanos)) {
                return true;
            }
        }
    }

    double perSecond() {
        return perSecond;
    }
}
