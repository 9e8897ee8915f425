package io.rpcboot.core.metrics;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rpcboot.core.BufferPoolStats;
import io.rpcboot.core.internal.protocol.InboundGuard;

/**
 * Every meter rpc-boot publishes, declared here and nowhere else. Names follow
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
 *   <tr><td>{@code rpc.bytes.received}, {@code rpc.bytes.sent}</td><td>counter (bytes)</td><td>side</td></tr>
 *   <tr><td>{@code rpc.client.timeouts}</td><td>counter</td><td></td></tr>
 *   <tr><td>{@code rpc.server.rejected}</td><td>counter</td><td>reason: overloaded, draining, deadline</td></tr>
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
                return DistributionStatisticConfig.builder().percentilesHistogram(false).build().merge(config);
            }
        });
        return new RpcMetrics(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The request timers of one method on one side, one per outcome, created on first use. */
    public CallTimers callTimers(Side side, String service, String method) {
        return new CallTimers(side == Side.SERVER ? SERVER_REQUESTS : CLIENT_REQUESTS, Tags.of("service", service,
                "method", method));
    }

    public Counter bytesReceived(Side side) {
        return Counter.builder("rpc.bytes.received").baseUnit("bytes").tag("side", side.tag())
                .description("Bytes read from rpc connections").register(registry);
    }

    public Counter bytesSent(Side side) {
        return Counter.builder("rpc.bytes.sent").baseUnit("bytes").tag("side", side.tag())
                .description("Bytes written to rpc connections").register(registry);
    }

    public Counter clientTimeouts() {
        return Counter.builder("rpc.client.timeouts").description("Calls that reached their deadline").register(registry);
    }

    public Counter serverRejected(String reason) {
        return Counter.builder("rpc.server.rejected").tag("reason", reason)
                .description("Requests answered without running the method").register(registry);
    }

    /** {@code rpc.registry.operations}: register, unregister and subscribe calls on a distributed registry. */
    public Counter registryOperations(String registryName, String operation) {
        return Counter.builder("rpc.registry.operations").tag("registry", registryName).tag("operation", operation)
                .description("Operations on the service registry").register(registry());
    }

    /** {@code rpc.registry.events}: changes a registry watch delivered. */
    public Counter registryEvents(String registryName) {
        return Counter.builder("rpc.registry.events").tag("registry", registryName)
                .description("Changes delivered by the service registry's watches").register(registry());
    }

    public Counter malformedFrames(Side side) {
        return Counter.builder("rpc.frames.malformed").tag("side", side.tag())
                .description("Connections closed because of a malformed frame").register(registry);
    }

    /**
     * {@code rpc.limits.exceeded}: a peer went past one of this side's budgets; {@code reason} names
     * which (one of the names in docs/security.md, never a value from the peer).
     */
    public Counter limitExceeded(Side side, String reason) {
        return Counter.builder("rpc.limits.exceeded").tag("side", side.tag()).tag("reason", reason)
                .description("Times a peer went past a limit (frame, header, connections, pending bytes...)")
                .register(registry);
    }

    /**
     * {@code rpc.limits.exceeded} for a limit whose count another component keeps (e.g. connections
     * the transport refused), read from {@code target} with {@code fn}.
     */
    public <T> void functionCounter(Side side, String reason, T target, ToDoubleFunction<T> fn) {
        FunctionCounter.builder("rpc.limits.exceeded", target, fn).tag("side", side.tag()).tag("reason", reason)
                .description("Times a peer went past a limit (frame, header, connections, pending bytes...)")
                .register(registry);
    }

    /** The counters and rate-limited warnings for one side's inbound budgets. */
    public InboundGuard.Reports inboundReports(Side side) {
        return new InboundReports(this, side);
    }

    /** A gauge {@code rpc.<side>.<name>} reading {@code fn} on {@code target} (held weakly by Micrometer). */
    public <T> void gauge(Side side, String name, String description, T target, ToDoubleFunction<T> fn) {
        Gauge.builder("rpc." + side.tag() + "." + name, target, fn).description(description).strongReference(true)
                .register(registry);
    }

    /**
     * Gauges of a buffer pool: buffers in use and bytes allocated, read from {@code stats} at each
     * scrape (on the scraping thread). Registering the same pool again (a client and a server that
     * share {@link io.rpcboot.core.RpcResources}) keeps the first registration.
     */
    public void bufferPool(Supplier<BufferPoolStats> stats) {
        Gauge.builder("rpc.buffer.pool.used", stats, s -> s.get().inUse()).description("Pooled buffers lent out")
                .strongReference(true).register(registry);
        Gauge.builder("rpc.buffer.pool.allocated", stats, s -> s.get().allocatedBytes()).baseUnit("bytes")
                .description("Bytes of memory the buffer pool holds").strongReference(true).register(registry);
    }

    /** Client or server. */
    public enum Side {
        SERVER("server"), CLIENT("client");

        private final String tag;

        Side(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    /** One method's timers, one per outcome; recording is a lookup in a small array. */
    public final class CallTimers {
        private final String name;
        private final Tags tags;
        private final Timer[] byOutcome = new Timer[Outcome.values().length];

        private CallTimers(String name, Tags tags) {
            this.name = name;
            this.tags = tags;
        }

        public void record(Outcome outcome, long nanos) {
            Timer timer = byOutcome[outcome.ordinal()];
            if (timer == null) {
                timer = Timer.builder(name).tags(tags).tag("outcome", outcome.tag())
                        .description(name.equals(SERVER_REQUESTS) ? "Calls served" : "Calls made")
                        .publishPercentileHistogram().register(registry);
                byOutcome[outcome.ordinal()] = timer; // a benign race: register returns the same timer
            }
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
