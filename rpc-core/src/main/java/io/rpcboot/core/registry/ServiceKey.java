package io.rpcboot.core.registry;

import java.util.Objects;

/**
 * What a consumer asks for: a service interface, a version and a group (empty strings are the
 * defaults). Providers and references match on all three.
 */
public record ServiceKey(String interfaceName, String version, String group) {

    public ServiceKey {
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(group, "group");
        if (interfaceName.isBlank()) {
            throw new IllegalArgumentException("interfaceName must not be blank");
        }
    }

    /** The default version and group. */
    public static ServiceKey of(Class<?> serviceInterface) {
        return new ServiceKey(serviceInterface.getName(), "", "");
    }

    public static ServiceKey of(Class<?> serviceInterface, String version, String group) {
        return new ServiceKey(serviceInterface.getName(), version, group);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(interfaceName);
        if (!version.isEmpty()) {
            sb.append(':').append(version);
        }
        if (!group.isEmpty()) {
            sb.append('@').append(group);
        }
        return sb.toString();
    }
}
