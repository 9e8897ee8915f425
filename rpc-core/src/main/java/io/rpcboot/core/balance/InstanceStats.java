package io.rpcboot.core.balance;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.rpcboot.core.registry.ServiceInstance;

/**
 * Live figures per endpoint ({@code host:port}), updated by the client around each call and read by
 * balancers: calls in flight, and an exponentially weighted moving average of latency whose weight
 * decays with time (so an instance that was slow a while ago is not punished for ever). Lock-free;
 * the clock is injectable for tests.
 */
public final class InstanceStats {

    /** Time constant of the latency average: older samples weigh e^(-age/tau). */
    static final long DECAY_NANOS = 2_000_000_000L;

    private final Map<String, Figures> byAddress = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    public InstanceStats() {
        this(System::nanoTime);
    }

    public InstanceStats(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** The figures of each instance's endpoint, in the same order; for pickers that read them per call. */
    public Figures[] of(ServiceInstance[] instances) {
        Figures[] figures = new Figures[instances.length];
        for (int i = 0; i < instances.length; i++) {
            figures[i] = of(instances[i].address());
        }
        return figures;
    }

    /** The figures of one endpoint; created on first use and kept. */
    public Figures of(String address) {
        return byAddress.computeIfAbsent(address, a -> new Figures());
    }

    /** Figures of one endpoint. */
    public final class Figures {
        private final AtomicInteger active = new AtomicInteger();
        private final AtomicLong ewmaNanos = new AtomicLong();
        private final AtomicLong lastUpdate = new AtomicLong(nanoClock.getAsLong());

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

        public int active() {
            return active.get();
        }

        /** The latency average in nanoseconds; 0 before any call completed. */
        public long latencyNanos() {
            return ewmaNanos.get();
        }
    }
}
