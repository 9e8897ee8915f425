package io.rpcboot.core.registry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.rpcboot.core.internal.GuardedBy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry in this process's memory: what a provider in this JVM registers, plus static
 * {@code host:port} seeds per interface name, which is how a consumer reaches a provider in another
 * process without a distributed registry. Seeds apply to every version and group of their interface.
 *
 * <p>Thread-safe. Each key's instances are an immutable snapshot replaced on change; listeners are
 * called on the thread that made the change, under that key's lock, so their calls are ordered.
 */
public final class InMemoryServiceRegistry implements ServiceRegistry {

    private static final Logger log = LoggerFactory.getLogger(InMemoryServiceRegistry.class);

    private final Map<ServiceKey, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, List<String>> seeds = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "memory";
    }

    /**
     * Adds static addresses for {@code interfaceName}, e.g. {@code ["127.0.0.1:7070", "10.0.0.2:7070"]}.
     *
     * @throws IllegalArgumentException naming the address if one is not host:port
     */
    public InMemoryServiceRegistry seed(String interfaceName, Collection<String> addresses) {
        Objects.requireNonNull(interfaceName, "interfaceName");
        for (String address : addresses) {
            ServiceInstance.parse(new ServiceKey(interfaceName, "", ""), address); // validates now
        }
        seeds.merge(interfaceName, List.copyOf(addresses), (a, b) -> {
            List<String> all = new ArrayList<>(a);
            all.addAll(b);
            return List.copyOf(all);
        });
        entries.forEach((key, entry) -> {
            if (key.interfaceName().equals(interfaceName)) {
                entry.update(snapshot -> snapshot);
            }
        });
        return this;
    }

    @Override
    public void register(ServiceInstance instance) {
        entry(instance.key()).update(current -> {
            Set<ServiceInstance> next = new LinkedHashSet<>(current);
            next.remove(instance);
            next.add(instance);
            return next;
        });
        log.debug("registered {}", instance);
    }

    @Override
    public void unregister(ServiceInstance instance) {
        Entry entry = entries.get(instance.key());
        if (entry != null) {
            entry.update(current -> {
                Set<ServiceInstance> next = new LinkedHashSet<>(current);
                next.remove(instance);
                return next;
            });
            log.debug("unregistered {}", instance);
        }
    }

    @Override
    public List<ServiceInstance> instances(ServiceKey key) {
        Entry entry = entries.get(key);
        return entry != null ? entry.view : withSeeds(key, Set.of());
    }

    @Override
    public Subscription subscribe(ServiceKey key, Consumer<List<ServiceInstance>> listener) {
        return entry(key).subscribe(listener);
    }

    private Entry entry(ServiceKey key) {
        return entries.computeIfAbsent(key, Entry::new);
    }

    private List<ServiceInstance> withSeeds(ServiceKey key, Set<ServiceInstance> registered) {
        List<String> addresses = seeds.get(key.interfaceName());
        if (addresses == null) {
            return List.copyOf(registered);
        }
        Set<ServiceInstance> all = new LinkedHashSet<>();
        for (String address : addresses) {
            all.add(ServiceInstance.parse(key, address));
        }
        all.removeAll(registered); // a registered instance carries the real weight and metadata
        all.addAll(registered);
        return List.copyOf(all);
    }

    /** Equal lists, weight and metadata included (instances are equal by address alone). */
    private static boolean sameInstances(List<ServiceInstance> a, List<ServiceInstance> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            ServiceInstance x = a.get(i);
            ServiceInstance y = b.get(i);
            if (!x.equals(y) || x.weight() != y.weight() || !x.metadata().equals(y.metadata())) {
                return false;
            }
        }
        return true;
    }

    /** One key: its registered instances, the snapshot with seeds, and its listeners. */
    private final class Entry {
        private final ServiceKey key;
        private final List<Consumer<List<ServiceInstance>>> listeners = new CopyOnWriteArrayList<>();
        /** Orders changes and the listener calls they make, and subscriptions against them. */
        private final Object lock = new Object();
        @GuardedBy("lock")
        private Set<ServiceInstance> registered = Set.of();
        private volatile List<ServiceInstance> view; // written under the lock, read without it

        Entry(ServiceKey key) {
            this.key = key;
            this.view = withSeeds(key, registered);
        }

        void update(UnaryOperator<Set<ServiceInstance>> change) {
            synchronized (lock) {
                registered = Collections.unmodifiableSet(new LinkedHashSet<>(change.apply(registered)));
                List<ServiceInstance> next = withSeeds(key, registered);
                if (sameInstances(next, view)) {
                    return;
                }
                view = next;
                for (Consumer<List<ServiceInstance>> listener : listeners) {
                    notify(listener, next);
                }
            }
        }

        Subscription subscribe(Consumer<List<ServiceInstance>> listener) {
            synchronized (lock) {
                listeners.add(listener);
                notify(listener, view);
            }
            return () -> listeners.remove(listener);
        }

        private void notify(Consumer<List<ServiceInstance>> listener, List<ServiceInstance> instances) {
            try {
                listener.accept(instances);
            } catch (RuntimeException e) {
                log.warn("listener of {} failed on an update", key, e);
            }
        }
    }
}
