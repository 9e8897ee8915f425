package io.rpcboot.core.client;

import java.util.ArrayList;
import java.util.List;

import io.rpcboot.core.balance.LoadBalancer;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.registry.ServiceRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The instances one reference may call, and a picker over them, both replaced together whenever
 * membership changes; a call reads one volatile snapshot and takes no lock.
 */
final class ServiceDirectory implements AutoCloseable {

    private record Snapshot(List<ServiceInstance> instances, LoadBalancer.@Nullable Picker picker) {
    }

    private final LoadBalancer balancer;
    private final ClientRuntime runtime;
    private final ServiceRegistry.@Nullable Subscription subscription;
    private volatile Snapshot snapshot = new Snapshot(List.of(), null);

    ServiceDirectory(ServiceKey key, LoadBalancer balancer, List<String> urls, ClientRuntime runtime) {
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

    private void update(List<ServiceInstance> instances) {
        snapshot = new Snapshot(List.copyOf(instances), switch (instances.size()) {
            case 0 -> null;
            case 1 -> only(instances.get(0));
            default -> balancer.newPicker(instances, runtime.stats);
        });
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

    List<ServiceInstance> instances() {
        return snapshot.instances();
    }

    LoadBalancer balancer() {
        return balancer;
    }

    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
    }
}
