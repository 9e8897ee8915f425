package io.rpcboot.core.balance;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.rpcboot.core.internal.balance.LiveFigures;
import io.rpcboot.core.registry.ServiceInstance;

/** Figures the balancer tests set up by hand (as a client would around calls), on an injectable clock. */
final class TestStats implements InstanceStats {

    private final Map<String, LiveFigures> byAddress = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    TestStats() {
        this(System::nanoTime);
    }

    TestStats(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** The figures of one address, to move by hand. */
    LiveFigures of(String address) {
        return byAddress.computeIfAbsent(address, a -> new LiveFigures(nanoClock));
    }

    @Override
    public InstanceFigures of(ServiceInstance instance) {
        return of(instance.address());
    }
}
