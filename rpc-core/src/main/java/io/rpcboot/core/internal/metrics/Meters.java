package io.rpcboot.core.internal.metrics;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.rpcboot.core.BufferPoolStats;
import io.rpcboot.core.internal.protocol.InboundGuard;
import io.rpcboot.core.metrics.Outcome;
import io.rpcboot.core.metrics.RpcMetrics;

/**
 * Not API. The factories of the meters {@link RpcMetrics} lists, for rpc-core's client and server:
 * each registers (or finds) its meter in the registry of the {@link RpcMetrics} it was made from.
 * Called while a client or server is set up, not per call; thread-safe.
 */
public final class Meters {

    private final MeterRegistry registry;

    private Meters(MeterRegistry registry) {
        this.registry = registry;
    }

    public static Meters of(RpcMetrics metrics) {
        return new Meters(metrics.registry());
    }

    /** The request timers of one method on one side, one per outcome, created on first use. */
    public CallTimers callTimers(Side side, String service, String method) {
        return new CallTimers(side == Side.SERVER ? RpcMetrics.SERVER_REQUESTS : RpcMetrics.CLIENT_REQUESTS, Tags.of("service", service,
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
     * share {@link io.rpcboot.core.resources.RpcResources}) keeps the first registration.
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
                        .description(name.equals(RpcMetrics.SERVER_REQUESTS) ? "Calls served" : "Calls made")
                        .publishPercentileHistogram().register(registry);
                byOutcome[outcome.ordinal()] = timer; // a benign race: register returns the same timer
            }
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
