package io.rpcboot.core.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.rpcboot.core.balance.InstanceFigures;
import io.rpcboot.core.balance.InstanceStats;
import io.rpcboot.core.balance.LoadBalancer;
import io.rpcboot.core.internal.GuardedBy;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.tls.TlsConfig;
import org.jspecify.annotations.Nullable;

/**
 * The instances one reference may call, their endpoints, and a picker over them, all replaced
 * together whenever membership changes; a call reads one volatile snapshot and takes no lock.
 *
 * <p>Updates come from the registry's notifying thread (one at a time per subscription; the lock
 * keeps them ordered against {@link #close}). Each update retains the endpoints of the new list
 * before publishing it and releases those of the old list after, so an endpoint a published
 * snapshot names is retired only once no snapshot of any reference names it any more.
 */
final class ServiceDirectory implements AutoCloseable {

    private record Snapshot(List<ServiceInstance> instances, Map<ServiceInstance, Endpoint> endpoints,
                            LoadBalancer.@Nullable Picker picker) {
    }

    /** The figures of an instance the directory does not list: nothing in flight, nothing measured. */
    private static final InstanceFigures NONE = new InstanceFigures() {
        @Override
        public int active() {
            return 0;
        }

        @Override
        public long latencyNanos() {
            return 0;
        }
    };

    private final LoadBalancer balancer;
    private final ClientRuntime runtime;
    private final ServiceRegistry.@Nullable Subscription subscription;
    private final Object lock = new Object();
    /** The addresses this directory holds a reference on in the runtime: those of the published snapshot. */
    @GuardedBy("lock")
    private Set<String> held = Set.of();
    @GuardedBy("lock")
    private boolean closed;
    private volatile Snapshot snapshot = new Snapshot(List.of(), Map.of(), null);

    /** The TLS of this directory's connections; null: plaintext. */
    final @Nullable TlsConfig tls;

    ServiceDirectory(ServiceKey key, LoadBalancer balancer, List<String> urls, ClientRuntime runtime,
                     @Nullable TlsConfig tls) {
        this.tls = tls;
        if (tls != null) {
            runtime.tlsInUse();
        }
        this.balancer = balancer;
        this.runtime = runtime;
        if (!urls.isEmpty()) {
            List<ServiceInstance> direct = new ArrayList<>();
            for (String url : urls) {
                direct.add(ServiceInstance.parse(key, url));
            }
            update(direct);
            subscription = null;
        } else {
            subscription = runtime.registry.subscribe(key, this::update);
        }
    }

    private void update(List<ServiceInstance> list) {
        List<ServiceInstance> instances = List.copyOf(list);
        synchronized (lock) {
            if (closed) {
                return;
            }
            Map<String, Endpoint> byAddress = new HashMap<>();
            Map<ServiceInstance, Endpoint> endpoints = new HashMap<>();
            for (ServiceInstance instance : instances) {
                String endpointKey = runtime.endpointKey(instance.address(), tls);
                Endpoint e = byAddress.get(endpointKey);
                if (e == null) {
                    e = runtime.retain(instance, endpointKey, tls);
                    if (e == null) {
                        return; // the client is closed: it has forgotten every address already
                    }
                    byAddress.put(endpointKey, e);
                }
                endpoints.put(instance, e);
            }
            InstanceStats stats = i -> {
                Endpoint e = endpoints.get(i);
                return e == null ? NONE : e.figures;
            };
            LoadBalancer.Picker picker;
            try {
                picker = switch (instances.size()) {
                    case 0 -> null;
                    case 1 -> only(instances.get(0));
                    default -> balancer.newPicker(instances, stats);
                };
            } catch (RuntimeException e) { // a broken balancer: keep the last snapshot, hold nothing more
                runtime.release(byAddress.keySet());
                throw e;
            }
            Set<String> previous = held;
            if (!previous.isEmpty()) {
                for (Map.Entry<String, Endpoint> e : byAddress.entrySet()) {
                    if (!previous.contains(e.getKey()) && e.getValue().pool.stats().size() == 0) {
                        e.getValue().startSlowStart(); // a new address among running ones: ramp it up
                    }
                }
            }
            held = byAddress.keySet();
            snapshot = new Snapshot(instances, endpoints, picker);
            runtime.release(previous);
        }
    }

    /** One instance leaves a balancer no choice (see {@link LoadBalancer.Picker#pick}): no balancer work per call. */
    private static LoadBalancer.Picker only(ServiceInstance instance) {
        return call -> call.excluded(instance) ? null : instance;
    }

    /** An instance for the call, or null if none is left to try. */
    @Nullable ServiceInstance pick(LoadBalancer.CallInfo call) {
        LoadBalancer.Picker picker = snapshot.picker();
        return picker == null ? null : picker.pick(call);
    }

    /**
     * The endpoint of {@code instance} if the directory lists it now; null once it has left (a
     * picker working on an older snapshot may still name it). The endpoint may be retiring: its
     * closed pool then refuses the call, which goes elsewhere.
     */
    @Nullable Endpoint endpoint(ServiceInstance instance) {
        return snapshot.endpoints().get(instance);
    }

    List<ServiceInstance> instances() {
        return snapshot.instances();
    }

    /**
     * Whether calls leave {@code endpoint} out because it is ejected ({@link OutlierDetection}): only
     * as long as this reference leaves out no more than its share of instances, and never its last.
     * Past the share, the ejected addresses first in address order stay out, the others are tried.
     */
    boolean leftOut(Endpoint endpoint) {
        if (!endpoint.isEjected()) {
            return false;
        }
        Snapshot s = snapshot;
        int n = s.endpoints().size();
        int allowed = Math.min(n - 1, n * runtime.config.outlierDetection().maxEjectedPercent() / 100);
        if (allowed <= 0) {
            return false;
        }
        int ejected = 0;
        int before = 0;
        for (Endpoint other : s.endpoints().values()) {
            if (other.isEjected()) {
                ejected++;
                if (other.address.compareTo(endpoint.address) < 0) {
                    before++;
                }
            }
        }
        return ejected <= allowed || before < allowed;
    }

    LoadBalancer balancer() {
        return balancer;
    }

    /**
     * Stops following the registry. The endpoints stay held: the client closes them all right after
     * (this runs only as part of {@link RpcClient#close()}).
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        if (subscription != null) {
            subscription.close();
        }
    }
}
