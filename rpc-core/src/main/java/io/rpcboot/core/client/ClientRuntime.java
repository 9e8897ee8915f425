package io.rpcboot.core.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;
import io.rpcboot.core.intercept.ClientInterceptor;
import io.rpcboot.core.internal.metrics.Meters;
import io.rpcboot.core.balance.LoadBalancers;
import io.rpcboot.core.internal.GuardedBy;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.internal.protocol.ExceptionCodec;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.protocol.InboundGuard;
import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.internal.reactor.EventLoop;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.internal.transport.Connection;
import io.rpcboot.core.internal.transport.TcpClient;
import io.rpcboot.core.tls.TlsConfig;
import io.rpcboot.core.internal.transport.TransportConfig;
import org.jspecify.annotations.Nullable;

/**
 * What every reference of one client shares: configuration, loops, transport, endpoints, meters.
 *
 * <p>Endpoints (and the live figures they carry) exist for the addresses the client's references
 * list now: each {@link ServiceDirectory} {@link #retain retains} the addresses of a new instance
 * list before it publishes it and {@link #release releases} those of the list it replaced, and an
 * address no directory holds any more is removed and its endpoint {@link Endpoint#retire retired}.
 * So with registry churn the endpoints stay as many as the live instances. Retain and release run
 * on the registry's notifying thread, under this class's lock; calls look endpoints up without it.
 */
final class ClientRuntime {

    /** Threads that open connections and wait for leases on behalf of calls that must not block. */
    static final int CONNECTOR_THREADS = 16;

    final ClientConfig config;
    /** What calls read the time from and set their deadline timers with. */
    final CallClock clock;
    final EventLoopGroup loops;
    final BufferPool pool;
    final FrameCodec codec;
    /** Rebuilds the exceptions providers send as themselves. */
    final ExceptionCodec exceptions;
    /** The retries this client may still send (shared by its references). */
    final RetryBudget.Ledger retryBudget;
    final TcpClient tcp;
    final ServiceRegistry registry;
    final Serializations serializations;
    final LoadBalancers balancers;
    final RpcMetrics metrics;
    /** The UDP socket of one-way calls; null until the first. */
    private volatile java.nio.channels.@Nullable DatagramChannel datagrams;
    /** The client side's meters, registered when the first reference is made (an app that makes none exports none). */
    private volatile @Nullable ClientMeters meters;
    /** Interceptors, outermost first; empty for the plain call path. */
    final List<ClientInterceptor> interceptors;
    final LongAdder inFlight = new LongAdder(); // touched twice per call by every caller: no single contended word
    /** Set once, under the lock, when the client closes; read by calls without it. */
    volatile boolean closed;
    /** Runs the blocking parts (connecting, waiting for a free lease) of calls that must not block their thread. */
    final ExecutorService connector;
    private final Object lock = new Object();
    /** Endpoints by address: changed under the lock, read without it (statistics, eviction). */
    @GuardedBy("lock")
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    /** How many directories hold each address of {@link #endpoints}; always at least 1. */
    @GuardedBy("lock")
    private final Map<String, Integer> holders = new HashMap<>();
    /** Numbers for the references' own TLS settings, in endpoint keys. */
    @GuardedBy("lock")
    private final Map<TlsConfig, Integer> tlsIds = new java.util.IdentityHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean tlsMeters = new java.util.concurrent.atomic.AtomicBoolean();

    ClientRuntime(ClientConfig config, EventLoopGroup loops, BufferPool pool, ServiceRegistry registry,
                  Serializations serializations, LoadBalancers balancers, RpcMetrics metrics, CallClock clock,
                  List<ClientInterceptor> interceptors) {
        this.interceptors = List.copyOf(interceptors);
        this.config = config;
        this.clock = clock;
        this.loops = loops;
        this.pool = pool;
        this.registry = registry;
        this.serializations = serializations;
        this.balancers = balancers;
        this.metrics = metrics;
        PeerLimits limits = config.peerLimits();
        this.codec = new FrameCodec(pool, config.maxFrameSize(), false, 0, limits, "rpc.client.max-frame-size");
        this.exceptions = ExceptionCodec.of(serializations, false);
        this.retryBudget = new RetryBudget.Ledger(config.retryBudget());
        this.tcp = new TcpClient(TransportConfig.builder().connectTimeout(config.connectTimeout())
                .idleTimeout(config.heartbeatInterval()).waterMarks(limits.lowWaterMark(), limits.highWaterMark()).build(), loops, pool);
        AtomicInteger n = new AtomicInteger();
        // Blocking steps wait here, never on a caller's or an event loop's thread; a task that
        // cannot be taken (the client closed) is rejected and its call fails.
        ThreadPoolExecutor connectors = new ThreadPoolExecutor(CONNECTOR_THREADS, CONNECTOR_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "rpc-client-connect-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        connectors.allowCoreThreadTimeOut(true);
        this.connector = connectors;
    }

    /**
     * One more directory lists {@code instance}'s address: its endpoint, created if the address is new
     * to the client; null if the client is closed (the caller then publishes nothing).
     */
    @Nullable Endpoint retain(ServiceInstance instance, String endpointKey, @Nullable TlsConfig tls) {
        synchronized (lock) {
            if (closed) {
                return null;
            }
            holders.merge(endpointKey, 1, Integer::sum);
            return endpoints.computeIfAbsent(endpointKey, k -> new Endpoint(this, instance.address(),
                    instance.socketAddress(), tls));
        }
    }

    /**
     * The key of the endpoint for {@code address} reached with {@code tls}: the address itself with
     * the client's own TLS (or none), else the address and which of the references' TLS settings.
     */
    String endpointKey(String address, @Nullable TlsConfig tls) {
        if (tls == config.tls()) {
            return address;
        }
        synchronized (lock) {
            return address + "#tls" + tlsIds.computeIfAbsent(tls, t -> tlsIds.size() + 1);
        }
    }

    /**
     * A directory no longer lists these addresses (each once per earlier {@link #retain}): an address
     * no directory holds leaves the client, and its endpoint is retired outside the lock.
     */
    void release(Collection<String> addresses) {
        List<Endpoint> retired = new ArrayList<>();
        synchronized (lock) {
            for (String address : addresses) {
                Integer held = holders.get(address);
                if (held == null) {
                    continue; // the client closed meanwhile and forgot every address
                }
                if (held > 1) {
                    holders.put(address, held - 1);
                } else {
                    holders.remove(address);
                    retired.add(endpoints.remove(address));
                }
            }
        }
        for (Endpoint e : retired) {
            e.retire();
        }
    }

    Iterable<Endpoint> endpoints() {
        return endpoints.values();
    }

    /** Whether the calling thread is one of this client's event loops (where waiting would dead-lock). */
    boolean onEventLoop() {
        return loops.inEventLoop() || Connection.readingForCallers();
    }

    void closeEndpoints() {
        List<Endpoint> all;
        java.nio.channels.DatagramChannel udp;
        synchronized (lock) {
            closed = true;
            all = new ArrayList<>(endpoints.values());
            endpoints.clear();
            holders.clear();
            udp = datagrams;
            datagrams = null;
        }
        for (Endpoint e : all) {
            e.pool.close();
        }
        if (udp != null) {
            try {
                udp.close();
            } catch (java.io.IOException e) {
                // closing: nothing is left to send on it
            }
        }
    }

    /** The socket one-way calls are sent from by UDP, opened at the first (non-blocking: a full socket drops). */
    java.nio.channels.DatagramChannel datagrams() throws java.io.IOException {
        java.nio.channels.DatagramChannel d = datagrams;
        if (d == null) {
            synchronized (lock) {
                if (closed) {
                    throw new java.nio.channels.ClosedChannelException();
                }
                d = datagrams;
                if (d == null) {
                    d = java.nio.channels.DatagramChannel.open();
                    d.configureBlocking(false);
                    datagrams = d;
                }
            }
        }
        return d;
    }

    /** The client side's counters, registered on first use. */
    ClientMeters meters() {
        ClientMeters m = meters;
        if (m == null) {
            synchronized (lock) {
                m = meters;
                if (m == null) {
                    meters = m = new ClientMeters(Meters.of(metrics));
                }
            }
        }
        return m;
    }

    /** Registers the client's TLS handshake meters, once, when a first reference speaks TLS. */
    void tlsInUse() {
        if (tlsMeters.compareAndSet(false, true)) {
            Meters.of(metrics).tls(Meters.Side.CLIENT, tcp.tlsStats());
        }
    }

    /** The counters every connection and call of the client shares. */
    static final class ClientMeters {
        final Counter bytesSent;
        final Counter bytesReceived;
        final InboundGuard.Reports inbound;
        final Counter timeouts;
        final Counter ejections;
        private final Counter retriedNotRun;
        private final Counter retriedMayHaveRun;
        private final Counter refusedNotRun;
        private final Counter refusedMayHaveRun;

        private ClientMeters(Meters meters) {
            this.retriedNotRun = meters.clientRetries("not_run", "retried");
            this.retriedMayHaveRun = meters.clientRetries("may_have_run", "retried");
            this.refusedNotRun = meters.clientRetries("not_run", "budget_exhausted");
            this.refusedMayHaveRun = meters.clientRetries("may_have_run", "budget_exhausted");
            this.bytesSent = meters.bytesSent(Meters.Side.CLIENT);
            this.bytesReceived = meters.bytesReceived(Meters.Side.CLIENT);
            this.inbound = meters.inboundReports(Meters.Side.CLIENT);
            this.timeouts = meters.clientTimeouts();
            this.ejections = meters.clientEjections();
            this.probesOk = meters.clientProbes("success");
            this.probesFailed = meters.clientProbes("failure");
            this.datagramsSent = meters.clientDatagrams("sent");
            this.datagramsDropped = meters.clientDatagrams("dropped");
        }

        private final Counter datagramsSent;
        private final Counter datagramsDropped;

        /** One-way calls sent as datagrams, or dropped because the socket had no room. */
        Counter datagrams(boolean sent) {
            return sent ? datagramsSent : datagramsDropped;
        }

        private final Counter probesOk;
        private final Counter probesFailed;

        Counter probe(boolean ok) {
            return ok ? probesOk : probesFailed;
        }

        Counter retried(String reason) {
            return reason.equals("not_run") ? retriedNotRun : retriedMayHaveRun;
        }

        Counter retryRefused(String reason) {
            return reason.equals("not_run") ? refusedNotRun : refusedMayHaveRun;
        }
    }
}
