package io.rpcboot.core.internal.balance;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.rpcboot.core.balance.InstanceFigures;

/**
 * The mutable side of {@link InstanceFigures}, owned by one client endpoint: calls in flight, and an
 * exponentially weighted moving average of latency whose weight decays with time (so an instance
 * that was slow a while ago is not punished for ever). Balancers see it only through the read-only
 * interface. Lock-free; {@link #start()} and {@link #end(long)} are called by any thread that starts
 * or ends a call; the clock is injectable for tests.
 */
public final class LiveFigures implements InstanceFigures {

    /** Time constant of the latency average: older samples weigh e^(-age/tau). */
    static final long DECAY_NANOS = 2_000_000_000L;

    private final LongSupplier nanoClock;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong ewmaNanos = new AtomicLong();
    private final AtomicLong lastUpdate;

    public LiveFigures(LongSupplier nanoClock) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.lastUpdate = new AtomicLong(nanoClock.getAsLong());
    }

    /** A call to this endpoint starts. */
    public void start() {
        active.incrementAndGet();
    }

    /** A call to this endpoint ended after {@code latencyNanos}. */
    public void end(long latencyNanos) {
        active.decrementAndGet();
        long now = nanoClock.getAsLong();
        long elapsed = Math.max(0, now - lastUpdate.getAndSet(now));
        double w = Math.exp(-(double) elapsed / DECAY_NANOS);
        while (true) { // a plain CAS loop: no lambda to allocate per call
            long prev = ewmaNanos.get();
            long next = prev == 0 ? latencyNanos : (long) (prev * w + latencyNanos * (1 - w));
            if (ewmaNanos.compareAndSet(prev, next)) {
                return;
            }
        }
    }

    @Override
    public int active() {
        return active.get();
    }

    @Override
    public long latencyNanos() {
        return ewmaNanos.get();
    }
}
