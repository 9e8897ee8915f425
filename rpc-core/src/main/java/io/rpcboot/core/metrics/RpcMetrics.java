package io.rpcboot.core.metrics;

import java.util.Objects;

import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rpcboot.core.registry.RegistryConnectionState;

/**
 * The meters rpc-boot publishes, and where they go: give a client or server the application's
 * {@link MeterRegistry} through one of these. The table below lists every meter; rpc-core registers
 * them itself (the factories are internal), and a registry implementation counts its operations with
 * {@link #registryOperations} and {@link #registryEvents}. Names follow
 * {@code rpc.<component>.<thing>}; tag values are bounded (service, method, outcome, side, reason),
 * never a request id or a per-call address.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><td>{@code rpc.server.requests}, {@code rpc.client.requests}</td><td>timer + histogram</td><td>service, method, outcome</td></tr>
 *   <tr><td>{@code rpc.server.connections}, {@code rpc.client.connections}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code rpc.server.inflight}, {@code rpc.client.inflight}</td><td>gauge: calls in flight</td><td></td></tr>
 *   <tr><td>{@code rpc.client.pool.leases}, {@code rpc.client.pool.waiting}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code rpc.buffer.pool.used}, {@code rpc.buffer.pool.allocated}</td><td>gauge (buffers, bytes)</td><td></td></tr>
 *   <tr><td>{@code rpc.io.received}, {@code rpc.io.sent}</td><td>counter (bytes)</td><td>side</td></tr>
 *   <tr><td>{@code rpc.client.timeouts}</td><td>counter</td><td></td></tr>
 *   <tr><td>{@code rpc.server.rejected}</td><td>counter</td><td>reason: overloaded, draining, deadline</td></tr>
 *   <tr><td>{@code rpc.server.execution.moves}</td><td>counter</td><td>service, method, to: loop, pool</td></tr>
 *   <tr><td>{@code rpc.frames.malformed}</td><td>counter</td><td>side</td></tr>
 *   <tr><td>{@code rpc.registry.operations}, {@code rpc.registry.events}</td><td>counter</td><td>registry, operation</td></tr>
 * </table>
 *
 * Thread-safe. Standalone code passes any {@link MeterRegistry} (or none: a private
 * {@link SimpleMeterRegistry}).
 */
public final class RpcMetrics {

    public static final String SERVER_REQUESTS = "rpc.server.requests";
    public static final String CLIENT_REQUESTS = "rpc.client.requests";

    private final MeterRegistry registry;

    public RpcMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Meters kept in a private {@link SimpleMeterRegistry}: counts, totals and maxima, but no
     * histogram buckets (nobody scrapes them there, and keeping them costs every call). Pass the
     * application's registry to {@link #RpcMetrics(MeterRegistry)} to publish histograms.
     */
    public static RpcMetrics simple() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return DistributionStatisticConfig.builder().percentilesHistogram(false).serviceLevelObjectives()
                        .build().merge(config);
            }
        });
        return new RpcMetrics(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** {@code rpc.registry.operations}: register, unregister and subscribe calls on a distributed registry. */
    public Counter registryOperations(String registryName, String operation) {
        return Counter.builder("rpc.registry.operations").tag("registry", registryName).tag("operation", operation)
                .description("Operations on the service registry").register(registry());
    }

    /**
     * {@code rpc.registry.connected}: 1 while {@code registry} is connected, 0 while suspended or
     * lost; read at each scrape. Kept from the first registration per registry name.
     */
    public void registryConnected(String registryName, Supplier<RegistryConnectionState> state) {
        if (registry.find("rpc.registry.connected").tag("registry", registryName).gauge() != null) {
            return;
        }
        Gauge.builder("rpc.registry.connected", state, s -> s.get() == RegistryConnectionState.CONNECTED ? 1 : 0)
                .tag("registry", registryName).description("1 while the service registry is connected, else 0")
                .strongReference(true).register(registry);
    }

    /** {@code rpc.registry.events}: changes a registry watch delivered. */
    public Counter registryEvents(String registryName) {
        return Counter.builder("rpc.registry.events").tag("registry", registryName)
                .description("Changes delivered by the service registry's watches").register(registry());
    }
}
