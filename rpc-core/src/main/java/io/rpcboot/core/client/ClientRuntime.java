package io.rpcboot.core.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;
import io.rpcboot.core.balance.InstanceStats;
import io.rpcboot.core.balance.LoadBalancers;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.protocol.InboundGuard;
import io.rpcboot.core.internal.protocol.PeerLimits;
import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.internal.transport.TcpClient;
import io.rpcboot.core.internal.transport.TransportConfig;

/** What every reference of one client shares: configuration, loops, transport, endpoints, meters. */
final class ClientRuntime {

    /** Threads that open connections and wait for leases on behalf of calls that must not block. */
    static final int CONNECTOR_THREADS = 16;

    final ClientConfig config;
    /** What calls read the time from and set their deadline timers with. */
    final CallClock clock;
    final EventLoopGroup loops;
    final BufferPool pool;
    final FrameCodec codec;
    final TcpClient tcp;
    final ServiceRegistry registry;
    final Serializations serializations;
    final LoadBalancers balancers;
    final InstanceStats stats = new InstanceStats();
    final RpcMetrics metrics;
    final Counter bytesSent;
    final Counter bytesReceived;
    final InboundGuard.Reports inbound;
    final Counter timeouts;
    final LongAdder inFlight = new LongAdder(); // touched twice per call by every caller: no single contended word
    volatile boolean closed;
    /** Runs the blocking parts (connecting, waiting for a free lease) of calls that must not block their thread. */
    final ExecutorService connector;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    /** The same endpoints by instance: the per-call lookup, without building the address string. */
    private final Map<ServiceInstance, Endpoint> byInstance = new ConcurrentHashMap<>();

    ClientRuntime(ClientConfig config, EventLoopGroup loops, BufferPool pool, ServiceRegistry registry,
                  Serializations serializations, LoadBalancers balancers, RpcMetrics metrics, CallClock clock) {
        this.config = config;
        this.clock = clock;
        this.loops = loops;
        this.pool = pool;
        this.registry = registry;
        this.serializations = serializations;
        this.balancers = balancers;
        this.metrics = metrics;
        PeerLimits limits = config.peerLimits();
        this.codec = new FrameCodec(pool, config.maxFrameSize(), false, 0, limits);
        this.tcp = new TcpClient(TransportConfig.builder().connectTimeout(config.connectTimeout())
                .idleTimeout(config.heartbeatInterval()).waterMarks(limits.lowWaterMark(), limits.highWaterMark()).build(), loops, pool);
        this.bytesSent = metrics.bytesSent(RpcMetrics.Side.CLIENT);
        this.bytesReceived = metrics.bytesReceived(RpcMetrics.Side.CLIENT);
        this.inbound = metrics.inboundReports(RpcMetrics.Side.CLIENT);
        this.timeouts = metrics.clientTimeouts();
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

    Endpoint endpoint(ServiceInstance instance) {
        Endpoint known = byInstance.get(instance);
        if (known != null) {
            return known;
        }
        Endpoint e = endpoints.computeIfAbsent(instance.address(), a -> new Endpoint(this, a, instance.socketAddress()));
        byInstance.putIfAbsent(instance, e);
        return e;
    }

    Iterable<Endpoint> endpoints() {
        return endpoints.values();
    }

    /** Whether the calling thread is one of this client's event loops (where waiting would dead-lock). */
    boolean onEventLoop() {
        return loops.inEventLoop();
    }

    void closeEndpoints() {
        closed = true;
        for (Endpoint e : endpoints.values()) {
            e.pool.close();
        }
        endpoints.clear();
        byInstance.clear();
    }
}
