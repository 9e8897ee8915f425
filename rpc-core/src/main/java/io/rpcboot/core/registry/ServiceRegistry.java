package io.rpcboot.core.registry;

import java.util.List;
import java.util.function.Consumer;

/**
 * Where providers announce themselves and consumers find them. Implementations are thread-safe.
 * Built in: {@link InMemoryServiceRegistry}; a ZooKeeper registry lives in its own module.
 */
public interface ServiceRegistry extends AutoCloseable {

    /** The stable lower-case name used in properties, e.g. {@code memory}. */
    String name();

    /** Announces {@code instance}; registering it again replaces it (e.g. a new weight). */
    void register(ServiceInstance instance);

    /** Withdraws {@code instance}; a no-op if it is not registered. */
    void unregister(ServiceInstance instance);

    /** The instances of {@code key} known now; an empty list if none. */
    List<ServiceInstance> instances(ServiceKey key);

    /**
     * Calls {@code listener} with the instances of {@code key} now, and again with the whole new list
     * each time it changes, until the returned subscription is closed. Calls for one subscription do
     * not overlap and arrive in order.
     */
    Subscription subscribe(ServiceKey key, Consumer<List<ServiceInstance>> listener);

    /**
     * The registry's link to its backing store, for health and operators; an in-process registry is
     * always {@link RegistryConnectionState#LOCAL}.
     */
    default RegistryConnectionState connectionState() {
        return RegistryConnectionState.LOCAL;
    }

    /** Releases the registry's resources; registrations made through it may be withdrawn. */
    @Override
    default void close() {
    }

    /** A live subscription; closing it stops the calls. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
