package io.rpcboot.core.balance;

import io.rpcboot.core.registry.ServiceInstance;

/**
 * The live figures of the instances a client calls, read-only, as a balancer sees them. The client
 * keeps figures for the instances its references currently list and drops them when an instance
 * leaves; asked about any other instance, it answers zeros. Thread-safe.
 */
@FunctionalInterface
public interface InstanceStats {

    /** The figures of {@code instance}'s endpoint ({@code host:port}); zeros for an instance not tracked. */
    InstanceFigures of(ServiceInstance instance);

    /** The figures of each instance, in the same order; for pickers that read them per call. */
    default InstanceFigures[] of(ServiceInstance[] instances) {
        InstanceFigures[] figures = new InstanceFigures[instances.length];
        for (int i = 0; i < instances.length; i++) {
            figures[i] = of(instances[i]);
        }
        return figures;
    }
}
