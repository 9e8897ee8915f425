package io.rpcboot.core.internal.metrics;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.rpcboot.core.internal.transport.TlsStats;
import io.rpcboot.core.BufferPoolStats;
import io.rpcboot.core.RpcMethod;
import io.rpcboot.core.internal.protocol.InboundGuard;
import io.rpcboot.core.metrics.Outcome;
import io.rpcboot.core.metrics.RpcMetrics;
import org.jspecify.annotations.Nullable;

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

    /** The request timers of one method on one side, created on first use; tagged with its {@link RpcMethod#key()}. */
    public CallTimers callTimers(Side side, RpcMethod method) {
        return side == Side.SERVER ? serverCallTimers(method, PROTOCOL_BINARY)
                : new CallTimers(RpcMetrics.CLIENT_REQUESTS, Tags.of("service", method.service(), "method", method.key()));
    }

    /** The server's request timers of one method for the calls that came in {@code protocol} ({@code binary}, {@code http}). */
    public CallTimers serverCallTimers(RpcMethod method, String protocol) {
        return new CallTimers(RpcMetrics.SERVER_REQUESTS, Tags.of("service", method.service(), "method", method.key(),
                "protocol", protocol));
    }

    /** Datagrams the server's UDP endpoint received, by {@code result}: {@code accepted}, {@code malformed}, {@code oversize}. */
    public Counter udpDatagrams(String result) {
        return Counter.builder("rpc.server.udp.datagrams").tag("result", result)
                .description("Datagrams the UDP endpoint received: dispatched as one-way calls, or dropped").register(registry);
    }

    /** Turns of the I/O loop that read the most datagrams a turn may and left the rest for the next. */
    public Counter udpFullTurns() {
        return Counter.builder("rpc.server.udp.full.turns")
                .description("Turns of the I/O loop that read the most datagrams one turn may (64) and left the rest for"
                        + " its next turn").register(registry);
    }

    /** One-way calls a client sent as datagrams, by {@code result}: {@code sent}, {@code dropped} (the socket had no room). */
    public Counter clientDatagrams(String result) {
        return Counter.builder("rpc.client.udp.datagrams").tag("result", result)
                .description("One-way calls sent as datagrams, or dropped because the socket had no room").register(registry);
    }

    /** The {@code protocol} tag of calls in rpc-boot frames. */
    public static final String PROTOCOL_BINARY = "binary";
    /** The {@code protocol} tag of calls made over HTTP/JSON. */
    public static final String PROTOCOL_HTTP = "http";
    /** The {@code protocol} tag of one-way calls that came as datagrams. */
    public static final String PROTOCOL_UDP = "udp";

    public Counter bytesReceived(Side side) {
        return Counter.builder("rpc.io.received").baseUnit("bytes").tag("side", side.tag())
                .description("Bytes read from rpc connections").register(registry);
    }

    public Counter bytesSent(Side side) {
        return Counter.builder("rpc.io.sent").baseUnit("bytes").tag("side", side.tag())
                .description("Bytes written to rpc connections").register(registry);
    }

    public Counter clientTimeouts() {
        return Counter.builder("rpc.client.timeouts").description("Calls that reached their deadline").register(registry);
    }

    /**
     * Retries a client sent or refused: {@code reason} {@code not_run} (a provider answered it did not
     * run the call) or {@code may_have_run} (an idempotent call), {@code result} {@code retried} or
     * {@code budget_exhausted}.
     */
    public Counter clientRetries(String reason, String result) {
        return Counter.builder("rpc.client.retries").tag("reason", reason).tag("result", result)
                .description("Retries sent to another try, or refused by the retry budget").register(registry);
    }

    /**
     * {@code rpc.client.fallbacks{service, method, reason}}: calls a reference's fallback answered;
     * {@code reason} {@code circuit_open} or {@code failure}.
     */
    public Counter clientFallbacks(RpcMethod method, String reason) {
        return Counter.builder("rpc.client.fallbacks").tag("service", method.service()).tag("method", method.key())
                .tag("reason", reason).description("Calls a reference's fallback answered instead of a provider")
                .register(registry);
    }

    /** {@code rpc.client.probes{result}}: background probes of unreachable or ejected addresses. */
    public Counter clientProbes(String result) {
        return Counter.builder("rpc.client.probes").tag("result", result)
                .description("Background probes of provider addresses that were unreachable or ejected").register(registry);
    }

    public Counter clientEjections() {
        return Counter.builder("rpc.client.ejections")
                .description("Times a provider address was ejected after failures in a row").register(registry);
    }

    /**
     * {@code rpc.server.execution.moves{service, method, to}}: an adaptive method moved to the I/O
     * loop ({@code to=loop}) or back to the worker pool ({@code to=pool}).
     */
    public Counter serverExecutionMoves(RpcMethod method, String to) {
        return Counter.builder("rpc.server.execution.moves").tag("service", method.service()).tag("method", method.key())
                .tag("to", to).description("Moves of an adaptive method between the worker pool and the I/O loop")
                .register(registry);
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

    /**
     * One side's TLS handshakes: {@code rpc.tls.handshakes{side, result}} (result {@code success} or
     * {@code failure}), and the handshake budgets in {@code rpc.limits.exceeded}.
     */
    public void tls(Side side, TlsStats stats) {
        FunctionCounter.builder("rpc.tls.handshakes", stats, TlsStats::handshakes).tag("side", side.tag())
                .tag("result", "success").description("TLS handshakes, by result").register(registry);
        FunctionCounter.builder("rpc.tls.handshakes", stats, TlsStats::handshakeFailures).tag("side", side.tag())
                .tag("result", "failure").description("TLS handshakes, by result").register(registry);
        functionCounter(side, "tls_handshake_timeout", stats, TlsStats::handshakeTimeouts);
        functionCounter(side, "tls_handshake_size", stats, TlsStats::handshakeTooLarge);
        functionCounter(side, "tls_handshake_backlog", stats, TlsStats::handshakeRefused);
    }

    /** The counters and rate-limited warnings for one side's inbound budgets. */
    public InboundGuard.Reports inboundReports(Side side) {
        return new InboundReports(this, side);
    }

    /**
     * A gauge {@code rpc.<side>.<name>} reading {@code fn} on {@code target}. A second registration
     * under the same name and tags (two clients on one registry) keeps the first, without Micrometer's
     * warning.
     */
    public <T> void gauge(Side side, String name, String description, T target, ToDoubleFunction<T> fn) {
        gauge("rpc." + side.tag() + "." + name, Tags.empty(), null, description, target, fn);
    }

    /** A gauge with tags; kept from the first registration as {@link #gauge(Side, String, String, Object, ToDoubleFunction)}. */
    public <T> void gauge(String name, Tags tags, @Nullable String baseUnit, String description, T target,
                          ToDoubleFunction<T> fn) {
        if (registry.find(name).tags(tags).gauge() != null) {
            return;
        }
        Gauge.builder(name, target, fn).tags(tags).baseUnit(baseUnit).description(description).strongReference(true)
                .register(registry);
    }

    /** Removes a tagged gauge (a reference that closed). */
    public void removeGauge(String name, Tags tags) {
        Gauge g = registry.find(name).tags(tags).gauge();
        if (g != null) {
            registry.remove(g);
        }
    }

    /**
     * Gauges of a buffer pool: buffers in use and bytes allocated, read from {@code stats} at each
     * scrape (on the scraping thread). Registering again (a client and a server that share
     * {@link io.rpcboot.core.resources.RpcResources}, the usual case) keeps the first registration.
     */
    public void bufferPool(Supplier<BufferPoolStats> stats) {
        gauge("rpc.buffer.pool.used", Tags.empty(), null, "Pooled buffers lent out", stats, s -> s.get().inUse());
        gauge("rpc.buffer.pool.allocated", Tags.empty(), "bytes", "Bytes of memory the buffer pool holds", stats,
                s -> s.get().allocatedBytes());
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

    /**
     * One method's request timers on one side, one per (outcome, status, exception) seen, all with
     * the same fixed SLO buckets ({@link #SLO_BOUNDARIES}; Prometheus needs one shape per name). The
     * first {@link #MAX_SERIES} combinations get their own series; any further one is counted in its
     * outcome's overflow series, with {@code status} and {@code exception} {@value #OTHER}. So a
     * method has at most {@code MAX_SERIES + 7} series (one overflow per outcome) per side, however
     * many kinds of failure a peer provokes. Success is a field read; the rest a map lookup.
     */
    public final class CallTimers {
        private final String name;
        private final Tags tags;
        private volatile @Nullable Timer success;
        private final ConcurrentHashMap<String, Timer> series = new ConcurrentHashMap<>();
        /** Series with their own tags so far (success included), reserved before registering. */
        private final AtomicInteger own = new AtomicInteger();

        private CallTimers(String name, Tags tags) {
            this.name = name;
            this.tags = tags;
        }

        public void success(long nanos) {
            Timer timer = success;
            if (timer == null) {
                timer = series.computeIfAbsent(key(Outcome.SUCCESS, "OK", NONE), k -> reserve(Outcome.SUCCESS, "OK", NONE));
                success = timer;
            }
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }

        /** A call that ended otherwise; {@code exception} is a simple class name, or {@value #NONE}. */
        public void record(Outcome outcome, String status, String exception, long nanos) {
            if (outcome == Outcome.SUCCESS && status.equals("OK") && exception.equals(NONE)) {
                success(nanos);
                return;
            }
            Timer timer = series.get(key(outcome, status, exception));
            if (timer == null) {
                timer = series.computeIfAbsent(key(outcome, status, exception), k -> reserve(outcome, status, exception));
            }
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }

        /** A series of its own while there is room (an atomic reservation), else the outcome's overflow series. */
        private Timer reserve(Outcome outcome, String status, String exception) {
            int n = own.get();
            while (n < MAX_SERIES) {
                if (own.compareAndSet(n, n + 1)) {
                    return register(outcome, status, exception);
                }
                n = own.get();
            }
            // called inside computeIfAbsent for another key: register the overflow timer directly (the
            // registry returns the same timer to every caller), never a nested computeIfAbsent
            return register(outcome, OTHER, OTHER);
        }

        private static String key(Outcome outcome, String status, String exception) {
            return outcome.tag() + '|' + status + '|' + exception;
        }

        private Timer register(Outcome outcome, String status, String exception) {
            return Timer.builder(name).tags(tags).tag("outcome", outcome.tag()).tag("status", status)
                    .tag("exception", exception)
                    .description(name.equals(RpcMetrics.SERVER_REQUESTS) ? "Calls served" : "Calls made")
                    .serviceLevelObjectives(SLO_BOUNDARIES).register(registry);
        }
    }

    /** The {@code exception} tag of a call that ended with {@code e}: its class's simple name (the full name for an anonymous class). */
    public static String exceptionTag(Throwable e) {
        String simple = e.getClass().getSimpleName();
        return simple.isEmpty() ? e.getClass().getName() : simple;
    }

    /** The {@code exception} tag of a call that threw nothing. */
    public static final String NONE = "none";
    /** The {@code status} and {@code exception} tags of a method's overflow series, past {@link #MAX_SERIES}. */
    public static final String OTHER = "other";
    /** Series (outcome x status x exception) per method and side with tags of their own. */
    public static final int MAX_SERIES = 8;
    /**
     * The request timers' buckets: from 50 microseconds (a call on one machine) to 10 seconds;
     * 17 boundaries, 18 bucket lines with +Inf. Boot's {@code management.metrics.distribution.*}
     * properties override them.
     */
    public static final Duration[] SLO_BOUNDARIES = {
            Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10)};
}
