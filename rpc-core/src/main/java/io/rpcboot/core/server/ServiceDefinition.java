package io.rpcboot.core.server;

import java.util.Objects;

import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;

/**
 * One service to publish: an interface, the object implementing it, and the version, group and
 * weight it is announced with.
 */
public record ServiceDefinition(Class<?> interfaceClass, Object implementation, String version, String group,
                                int weight) {

    public ServiceDefinition {
        Objects.requireNonNull(interfaceClass, "interfaceClass");
        Objects.requireNonNull(implementation, "implementation");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(group, "group");
        if (!interfaceClass.isInterface()) {
            throw new IllegalArgumentException(interfaceClass.getName() + " is not an interface: a service is published"
                    + " by its interface");
        }
        if (!interfaceClass.isInstance(implementation)) {
            throw new IllegalArgumentException(implementation.getClass().getName() + " does not implement "
                    + interfaceClass.getName());
        }
        if (weight < 1 || weight > 10_000) {
            throw new IllegalArgumentException("weight must be 1..10000, was " + weight + " for " + interfaceClass.getName());
        }
    }

    /** Default version and group, default weight. */
    public static <T> ServiceDefinition of(Class<T> interfaceClass, T implementation) {
        return new ServiceDefinition(interfaceClass, implementation, "", "", ServiceInstance.DEFAULT_WEIGHT);
    }

    public ServiceKey key() {
        return new ServiceKey(interfaceClass.getName(), version, group);
    }
}
