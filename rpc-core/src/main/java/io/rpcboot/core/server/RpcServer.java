package io.rpcboot.core.server;

import io.rpcboot.core.security.AuthenticationInterceptor;
import io.rpcboot.core.tls.TlsConfig;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.rpcboot.core.intercept.ServerInterceptor;
import io.rpcboot.core.internal.metrics.Meters;
import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.resources.RpcResources;
import io.rpcboot.core.internal.GuardedBy;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.internal.inprocess.InProcess;
import io.rpcboot.core.internal.protocol.ExceptionCodec;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.protocol.InboundGuard;
import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import io.rpcboot.core.internal.resources.ResourceParts;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.serialize.JsonSerialization;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.serialize.TypeAllowList;
import io.rpcboot.core.internal.transport.Connection;
import io.rpcboot.core.internal.transport.TcpServer;
import io.rpcboot.core.internal.transport.TransportConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes services over TCP.
 *
 * <pre>{@code
 * RpcServer server = RpcServer.builder().port(7070).registry(registry)
 *         .service(Greeter.class, new DefaultGreeter()).start();
 * ...
 * server.shutdown();                              // quick: deregister, DRAINING to every client, stop accepting
 * server.awaitTermination(Duration.ofSeconds(30)); // waits for the drain: calls in flight finish, then close
 * // or both at once: server.stop();
 * }</pre>
 *
 * <p>Threads: one boss loop accepts, {@code ioThreads} loops read and write, provider methods run on
 * a bounded worker pool (or on the loops in {@link ExecutionMode#DIRECT}). {@link #start},
 * {@link #addService}, {@link #shutdown} and {@link #stop} may be called from any thread; the drain
 * after {@link #shutdown} runs on a thread of its own ({@code rpc-server-drain}), so no lock is held
 * while calls finish.
 */
public final class RpcServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RpcServer.class);
    /** After the last call is answered, at least this long for clients to read it and close. */
    private static final long CLIENT_CLOSE_GRACE_MILLIS = 1000;

    private final ServerConfig config;
    /** Whether an authentication interceptor guards every call (for the open-port warning). */
    private final boolean authenticates;
    /** Opens the UDP endpoint of one-way calls once the port is bound; null when UDP is off. */
    private final @Nullable UdpSetup udpSetup;
    private volatile @Nullable UdpEndpoint udp;

    @FunctionalInterface
    private interface UdpSetup {
        UdpEndpoint open(io.rpcboot.core.internal.reactor.EventLoop loop) throws java.io.IOException;
    }
    private final @Nullable ServiceRegistry registry;
    private final RpcMetrics metrics;
    private final BufferPool pool;
    private final Serializations serializations;
    private final ServiceTable services;
    private final List<ServiceInstance> registered = new CopyOnWriteArrayList<>();
    private final List<ServerConnection> connections = new CopyOnWriteArrayList<>();
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final boolean ownsLoops;
    private final Executor executor;
    private final RequestDispatcher dispatcher;
    private final TcpServer tcp;
    /** Guards start, publication and the start of the stop; waited on for clients to leave. */
    private final Object lock = new Object();
    @GuardedBy("lock")
    private volatile boolean started; // read without the lock by isRunning
    @GuardedBy("lock")
    private volatile boolean stopped; // read without the lock by isRunning and the connection handler
    @GuardedBy("lock")
    private boolean outOfService;
    /** Completes when the server has terminated, with whether every call finished within the drain. */
    private final CompletableFuture<Boolean> termination = new CompletableFuture<>();

    private RpcServer(Builder b) {
        if (b.config.udpEnabled() && b.interceptors.stream().anyMatch(i -> i instanceof AuthenticationInterceptor)) {
            // checked before any thread starts
            throw new IllegalArgumentException("udpEnabled cannot be on while the server authenticates its callers: a"
                    + " datagram carries no connection and no TLS to authenticate; was true");
        }
        this.config = b.config;
        this.registry = b.registry;
        this.metrics = b.metrics != null ? b.metrics : RpcMetrics.simple();
        ResourceParts shared = b.resources != null ? ResourceParts.of(b.resources) : null;
        this.pool = shared != null ? shared.bufferPool() : BufferPool.createDefault();
        CallClock clock = shared != null ? shared.clock() : CallClock.SYSTEM;
        this.serializations = b.serializations != null ? b.serializations : Serializations.defaults(new TypeAllowList());
        this.services = new ServiceTable(serializations, metrics, config.rateLimits(), config.concurrencyLimit(),
                config.executionMode(), config.executions());
        EventLoopGroup sharedBoss = shared != null ? shared.serverBoss() : null;
        EventLoopGroup sharedWorkers = shared != null ? shared.serverWorkers() : null;
        this.ownsLoops = sharedBoss == null || sharedWorkers == null;
        this.boss = !ownsLoops ? sharedBoss : new EventLoopGroup("rpc-server-boss", 1);
        this.workers = !ownsLoops ? sharedWorkers : new EventLoopGroup("rpc-server-io", config.ioThreads());
        this.executor = newExecutor(config); // threads start with the first call a method runs on the pool
        FrameCodec codec = new FrameCodec(pool, config.maxFrameSize(), config.checksum(), config.compressionThreshold(),
                config.peerLimits(), "rpc.server.max-frame-size");
        Meters meters = Meters.of(metrics);
        InboundGuard.Reports limits = meters.inboundReports(Meters.Side.SERVER);
        this.dispatcher = new RequestDispatcher(services, codec, executor, metrics, limits,
                config.maxConcurrentCallsPerConnection(), clock, b.interceptors, config.errorLogLevel(),
                ExceptionCodec.of(serializations, config.sendStackTraces()));
        this.authenticates = b.interceptors.stream().anyMatch(i -> i instanceof AuthenticationInterceptor);
        Counter received = meters.bytesReceived(Meters.Side.SERVER);
        // never more than a frame: a datagram is one frame
        this.udpSetup = config.udpEnabled() ? loop -> UdpEndpoint.open(config.host(), port(), loop, codec, dispatcher,
                Math.min(config.maxDatagramSize(), config.maxFrameSize()), config.maxConcurrentCallsPerConnection(),
                meters, received, limits.warnings()) : null;
        Counter sent = meters.bytesSent(Meters.Side.SERVER);
        PeerLimits peer = config.peerLimits();
        TransportConfig transport = TransportConfig.builder().idleTimeout(config.idleTimeout())
                .waterMarks(peer.lowWaterMark(), peer.highWaterMark()).maxConnections(config.maxConnections())
                .maxConnectionsPerAddress(config.maxConnectionsPerAddress())
                .maxAcceptsPerSecond(config.maxAcceptsPerSecond()).build();
        HttpGateway http = null;
        if (config.httpEnabled()) {
            if (serializations.all().stream().anyMatch(s -> s.id() == JsonSerialization.ID)) {
                List<AuthenticationInterceptor> authentication = new ArrayList<>();
                for (ServerInterceptor i : b.interceptors) {
                    if (i instanceof AuthenticationInterceptor a) {
                        authentication.add(a);
                    }
                }
                http = new HttpGateway(services, dispatcher, codec, clock, authentication, limits.warnings(),
                        config.maxHttpHeaderSize(), config.maxHttpHeaderFields(), config.maxHttpPipelinedSize());
            } else {
                log.info("rpc.server.http.enabled is on, but HTTP/JSON needs the json serialization (Jackson 3,"
                        + " tools.jackson.core:jackson-databind): this server speaks rpc-boot frames only");
            }
        }
        List<ServerProtocol> protocols = http == null ? List.of() : List.of(http);
        this.tcp = new TcpServer(transport, boss.next(), workers, pool, () -> {
            return new TrackedHandler(new ServerConnection(codec, dispatcher, config, received, sent, limits, protocols));
        }, config.tls());
        meters.functionCounter(Meters.Side.SERVER, "connections", tcp, TcpServer::rejectedConnections);
        meters.functionCounter(Meters.Side.SERVER, "connections_per_address", tcp, TcpServer::rejectedPerAddress);
        meters.functionCounter(Meters.Side.SERVER, "accept_rate", tcp, TcpServer::rejectedByRate);
        if (config.tls() != null) {
            meters.tls(Meters.Side.SERVER, tcp.tlsStats());
        }
        for (ServiceDefinition d : b.services) {
            services.add(d);
        }
        meters.gauge(Meters.Side.SERVER, "connections", "Open client connections", tcp, TcpServer::openConnections);
        meters.gauge(Meters.Side.SERVER, "inflight", "Calls being served", dispatcher, RequestDispatcher::inFlight);
        meters.gauge(Meters.Side.SERVER, "draining", "1 while the server drains its calls to stop, else 0", dispatcher,
                d -> d.isDraining() ? 1 : 0);
        meters.bufferPool(pool::stats);
        if (registry != null) {
            metrics.registryConnected(registry.name(), registry::connectionState);
        }
    }

    private static Executor newExecutor(ServerConfig config) {
        if (config.virtualThreads()) {
            return new VirtualWorkers(config.workerThreads(), config.queueCapacity()); // the config checked: Java 21+
        }
        BlockingQueue<Runnable> queue = config.queueCapacity() == 0 ? new SynchronousQueue<>()
                : new ArrayBlockingQueue<>(config.queueCapacity());
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60,
                TimeUnit.SECONDS, queue, r -> {
                    Thread t = new Thread(r, "rpc-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the port and announces every service to the registry.
     *
     * @throws java.io.UncheckedIOException naming the address if the port cannot be bound
     * @throws IllegalStateException if the server was shut down
     */
    public RpcServer start() {
        synchronized (lock) {
            if (stopped) {
                throw new IllegalStateException("the rpc server was shut down; build a new one to start again");
            }
            if (started) {
                return this;
            }
            try {
                if (config.transport() == ServerConfig.Transport.IN_PROCESS) {
                    tcp.bindInProcess(InProcess.allocate());
                } else {
                    tcp.bind(config.host(), config.port());
                }
                if (udpSetup != null) {
                    try {
                        udp = udpSetup.open(workers.next());
                    } catch (java.io.IOException e) {
                        tcp.close();
                        throw new java.io.UncheckedIOException("cannot bind UDP " + config.host() + ":" + port()
                                + " for one-way calls (rpc.server.udp.enabled): " + e.getMessage(), e);
                    }
                }
            } catch (RuntimeException e) {
                shutdownThreads();
                throw e;
            }
            started = true;
            for (ServiceDefinition d : services.definitions()) {
                announce(d);
            }
        }
        log.info("rpc server listening on {}:{} ({} services)", inProcess() ? InProcess.HOST : config.host(), port(),
                services.definitions().size());
        warnIfOpen();
        return this;
    }

    /** One WARN when the server listens beyond this machine without TLS or without authentication. */
    private void warnIfOpen() {
        String warning = tcp.localAddress() instanceof InetSocketAddress bound
                ? openPortWarning(bound, config.tls(), authenticates) : null;
        if (warning != null) {
            log.warn(warning);
        }
    }

    /**
     * What a server bound to {@code bound} should warn about: null on a loopback address, or with TLS
     * and authentication (mutual TLS with required client certificates counts as authentication);
     * else what is missing (anyone who reaches the port can call every provider, and without TLS read
     * and change what is sent) and the properties that turn it on.
     */
    static @Nullable String openPortWarning(InetSocketAddress bound, @Nullable TlsConfig tls, boolean authenticates) {
        if (bound.getAddress() == null || bound.getAddress().isLoopbackAddress()) {
            return null;
        }
        List<String> missing = new ArrayList<>();
        List<String> remedies = new ArrayList<>();
        if (tls == null) {
            missing.add("TLS");
            remedies.add("TLS (rpc.server.ssl.bundle)");
        }
        if (!authenticates && (tls == null || tls.clientAuth() != TlsConfig.ClientAuth.NEED)) {
            missing.add("authentication");
            remedies.add("authentication (rpc.server.auth.tokens or rpc.server.auth.certificate)");
        }
        if (missing.isEmpty()) {
            return null;
        }
        return "rpc server on " + bound.getAddress().getHostAddress() + ":" + bound.getPort() + " accepts calls from"
                + " the network without " + String.join(" or ", missing) + ": anyone who reaches this port can call"
                + " every provider" + (tls == null ? " and read or change what is sent" : "") + ". Bind 127.0.0.1"
                + " (rpc.server.host) if only this machine calls it; otherwise enable " + String.join(" and ", remedies)
                + " (see docs/security.md)";
    }

    /**
     * Publishes another service; announced at once if the server is running.
     *
     * @throws IllegalArgumentException if the same interface, version and group is already published,
     *                                  or a method cannot be published
     */
    public void addService(ServiceDefinition definition) {
        synchronized (lock) {
            services.add(definition);
            if (started && !stopped) {
                announce(definition);
            }
        }
    }

    @GuardedBy("lock")
    private void announce(ServiceDefinition d) {
        if (registry == null) {
            return;
        }
        Map<String, String> metadata = new java.util.HashMap<>();
        metadata.put("startTime", String.valueOf(System.currentTimeMillis()));
        if (config.tls() != null) {
            metadata.put(ServiceInstance.TLS, ServiceInstance.TLS_REQUIRED);
        }
        UdpEndpoint datagrams = udp;
        if (datagrams != null) {
            metadata.put(ServiceInstance.UDP, String.valueOf(datagrams.port()));
            metadata.put(ServiceInstance.UDP_MAX_DATAGRAM, String.valueOf(datagrams.maxDatagramSize()));
        }
        ServiceInstance instance = new ServiceInstance(d.key(), inProcess() ? InProcess.HOST : config.advertisedHost(),
                port(), d.weight(), metadata);
        registry.register(instance);
        registered.add(instance);
    }

    /**
     * Takes this server out of service without stopping it: withdraws every service from the
     * registry and tells every connected client to send new calls elsewhere (a DRAINING notice).
     * Calls in flight finish, and a call that still arrives (from a client with a stale view) is
     * served. {@link #putInService} undoes it. For rolling restarts and maintenance, as Actuator's
     * out-of-service operation.
     *
     * @return whether this changed anything (false if already out of service, not started or stopped)
     */
    public boolean takeOutOfService() {
        List<ServiceInstance> withdrawn;
        synchronized (lock) {
            if (!started || stopped || outOfService) {
                return false;
            }
            outOfService = true;
            withdrawn = List.copyOf(registered);
            registered.clear();
        }
        withdraw(withdrawn);
        for (ServerConnection c : connections) {
            c.sendDraining();
        }
        log.info("rpc server on port {} is out of service: {} services withdrawn, {} clients told", port(),
                withdrawn.size(), connections.size());
        return true;
    }

    /**
     * Announces every service again after {@link #takeOutOfService}.
     *
     * @return whether this changed anything (false if in service already, not started or stopped)
     */
    public boolean putInService() {
        synchronized (lock) {
            if (!started || stopped || !outOfService) {
                return false;
            }
            outOfService = false;
            for (ServiceDefinition d : services.definitions()) {
                announce(d);
            }
        }
        log.info("rpc server on port {} is back in service", port());
        return true;
    }

    /** Whether the server runs and announces its services (not stopped, not taken out of service). */
    public boolean isInService() {
        synchronized (lock) {
            return started && !stopped && !outOfService;
        }
    }

    /**
     * Gives a published service another weight (1..10000), announced at once when the server is in
     * service: weighted balancers send it a share in proportion.
     *
     * @throws IllegalArgumentException if no such service is published here, or the weight is out of range
     */
    public void setWeight(ServiceKey key, int weight) {
        synchronized (lock) {
            ServiceDefinition next = services.reweigh(key, weight);
            if (started && !stopped && !outOfService) {
                registered.removeIf(i -> i.key().equals(key));
                announce(next);
            }
        }
    }

    /** The bound port (the real one when configured with 0). */
    public int port() {
        return tcp.port();
    }

    /** Whether the server listens in process (no TCP port), see {@link ServerConfig.Transport#IN_PROCESS}. */
    public boolean inProcess() {
        return config.transport() == ServerConfig.Transport.IN_PROCESS;
    }

    /** The bound address: {@code host:port}, or the in-process socket. */
    public SocketAddress address() {
        SocketAddress a = tcp.localAddress();
        if (a == null) {
            throw new IllegalStateException("server not started");
        }
        return a;
    }

    public List<ServiceDefinition> services() {
        return services.definitions();
    }

    /** The instances this server announced to its registry. */
    public List<ServiceInstance> announcedInstances() {
        return List.copyOf(registered);
    }

    public int openConnections() {
        return tcp.openConnections();
    }

    public int inFlight() {
        return dispatcher.inFlight();
    }

    public ServerConfig config() {
        return config;
    }

    public boolean isRunning() {
        return started && !stopped;
    }

    /**
     * Starts a graceful stop and returns at once: withdraws every service from the registry, tells
     * every client it is draining (so they pick other instances at once) and stops accepting. Then,
     * on a thread of its own, it waits up to the configured drain timeout for calls in flight,
     * closes connections and threads; {@link #awaitTermination} and {@link #whenTerminated} wait for
     * that. Idempotent.
     */
    public RpcServer shutdown() {
        beginShutdown(config.drainTimeout());
        return this;
    }

    /**
     * Waiting for the drain on one of this server's own loops would hold up the very calls the drain
     * waits for (a provider in {@code direct} mode calling stop): fail at once instead, as Netty's
     * {@code checkDeadLock} does.
     */
    private void checkNotOnOwnLoop(String what) {
        if (boss.inEventLoop() || workers.inEventLoop()) {
            throw new IllegalStateException(what + "() called on an event loop of this server ("
                    + Thread.currentThread().getName() + ") would wait for itself; call shutdown() there instead");
        }
    }

    /**
     * Waits until the server has terminated (after {@link #shutdown}), at most {@code timeout}.
     *
     * @return whether it terminated in time
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        checkNotOnOwnLoop("awaitTermination");
        try {
            termination.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // the drain thread failed while closing: as terminated as it will get
        }
    }

    /** Whether the server has terminated: drained (or cut short), connections and threads closed. */
    public boolean isTerminated() {
        return termination.isDone();
    }

    /** Completes, on the drain thread, once the server has terminated, with whether every call finished in the drain. */
    public CompletionStage<Boolean> whenTerminated() {
        return termination.minimalCompletionStage();
    }

    /** Graceful stop with the configured drain timeout; blocks until done (see {@link #stop(Duration)}). */
    public void stop() {
        stop(config.drainTimeout());
    }

    /**
     * Graceful stop, waiting for it: {@link #shutdown} with {@code drainTimeout} for calls in flight,
     * then waits until the server has terminated. Idempotent; a second call waits for the first stop.
     *
     * @return whether every call in flight finished before the timeout (false if interrupted while waiting)
     */
    public boolean stop(Duration drainTimeout) {
        checkNotOnOwnLoop("stop");
        beginShutdown(drainTimeout);
        try {
            return termination.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false; // the drain goes on without this caller
        } catch (ExecutionException e) {
            return false;
        }
    }

    /** Takes these instances out of the registry; an outage there is logged and must not stop what follows. */
    private void withdraw(List<ServiceInstance> instances) {
        for (ServiceInstance instance : instances) {
            try {
                registry.unregister(instance);
            } catch (RuntimeException e) {
                log.warn("could not withdraw {} from the {} registry; going on", instance, registry.name(), e);
            }
        }
    }

    /** The quick part of a stop; the drain goes on on a thread of its own. Once; any thread. */
    private void beginShutdown(Duration drainTimeout) {
        List<ServiceInstance> withdrawn;
        boolean wasStarted;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
            wasStarted = started;
            withdrawn = List.copyOf(registered);
            registered.clear();
        }
        withdraw(withdrawn);
        dispatcher.startDraining();
        for (ServerConnection c : connections) {
            c.sendDraining();
        }
        if (!wasStarted) {
            finishDrain(false, drainTimeout);
            return;
        }
        tcp.stopAccepting();
        Thread drainer = new Thread(() -> finishDrain(true, drainTimeout), "rpc-server-drain-" + port());
        drainer.start();
    }

    /** Waits for calls in flight and for clients to leave, then closes everything. On the drain thread. */
    private void finishDrain(boolean wasStarted, Duration drainTimeout) {
        boolean drained = true;
        try {
            if (wasStarted) {
                drained = awaitDrain(drainTimeout);
            }
            UdpEndpoint datagrams = udp;
            if (datagrams != null) {
                datagrams.close();
            }
            tcp.close();
            shutdownThreads();
            log.info("rpc server stopped{}", drained ? "" : " (calls were cut short)");
            termination.complete(drained);
        } catch (Throwable t) {
            termination.completeExceptionally(t);
            throw t;
        }
    }

    private boolean awaitDrain(Duration drainTimeout) {
        long deadline = System.currentTimeMillis() + drainTimeout.toMillis();
        boolean drained;
        try {
            drained = dispatcher.awaitDrained(drainTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        if (!drained) {
            log.warn("rpc server on port {}: {} calls still in flight after {} ms; closing anyway", port(),
                    dispatcher.inFlight(), drainTimeout.toMillis());
        } else if (!awaitClientsGone(Math.max(deadline, System.currentTimeMillis() + CLIENT_CLOSE_GRACE_MILLIS))) {
            log.info("rpc server on port {}: {} clients kept their connections after draining; closing them",
                    port(), tcp.openConnections());
        }
        return drained;
    }

    /**
     * After the last call is answered, clients that saw the draining notice close their connections
     * themselves; closing them from here first could cut off a request already on its way.
     */
    private boolean awaitClientsGone(long deadlineMillis) {
        synchronized (lock) {
            while (tcp.openConnections() > 0) {
                long left = deadlineMillis - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                try {
                    lock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    private void shutdownThreads() {
        if (executor instanceof ThreadPoolExecutor pool) {
            pool.shutdown();
        } else if (executor instanceof VirtualWorkers virtual) {
            virtual.shutdown();
        }
        if (ownsLoops) {
            boss.close();
            workers.close();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Keeps the connection list in step with the transport. */
    private final class TrackedHandler implements io.rpcboot.core.internal.transport.ConnectionHandler {
        private final ServerConnection delegate;

        TrackedHandler(ServerConnection delegate) {
            this.delegate = delegate;
        }

        @Override
        public void onConnected(Connection c) {
            connections.add(delegate);
            delegate.onConnected(c);
            if (stopped) {
                delegate.sendDraining(); // accepted while stopping: tell it at once
            }
        }

        @Override
        public void onData(Connection c, java.nio.ByteBuffer data) {
            delegate.onData(c, data);
        }

        @Override
        public void onWritabilityChanged(Connection c, boolean writable) {
            delegate.onWritabilityChanged(c, writable);
        }

        @Override
        public void onIdle(Connection c) throws Exception {
            delegate.onIdle(c);
        }

        @Override
        public void onClosed(Connection c, String reason) {
            connections.remove(delegate);
            delegate.onClosed(c, reason);
            synchronized (lock) {
                lock.notifyAll(); // awaitClientsGone
            }
        }
    }

    /** Collects what a server needs; {@link #start()} builds and starts it. */
    public static final class Builder {
        private ServerConfig config = ServerConfig.builder().build();
        private @Nullable ServiceRegistry registry;
        private @Nullable RpcMetrics metrics;
        private @Nullable RpcResources resources;
        private @Nullable Serializations serializations;
        private final List<ServiceDefinition> services = new ArrayList<>();
        private final List<ServerInterceptor> interceptors = new ArrayList<>();

        private Builder() {
        }

        /** Adds an interceptor around every call served; the first added is the outermost. */
        public Builder interceptor(ServerInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /** Adds interceptors around every call served, outermost first. */
        public Builder interceptors(List<? extends ServerInterceptor> list) {
            list.forEach(this::interceptor);
            return this;
        }

        public Builder config(ServerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Shortcut for a config with this host and port and other defaults. */
        public Builder bind(String host, int port) {
            this.config = ServerConfig.builder().host(host).port(port).build();
            return this;
        }

        public Builder registry(ServiceRegistry registry) {
            this.registry = registry;
            return this;
        }

        public Builder metrics(RpcMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /**
         * The buffer pool and event loops to use, shared with other clients and servers; the server
         * does not close them. By default the server has a pool and loops of its own.
         */
        public Builder resources(RpcResources resources) {
            this.resources = Objects.requireNonNull(resources, "resources");
            return this;
        }

        public Builder serializations(Serializations serializations) {
            this.serializations = serializations;
            return this;
        }

        public <T> Builder service(Class<T> interfaceClass, T implementation) {
            services.add(ServiceDefinition.of(interfaceClass, implementation));
            return this;
        }

        public Builder service(ServiceDefinition definition) {
            services.add(definition);
            return this;
        }

        /** Builds the server without binding; {@link RpcServer#start()} binds. */
        public RpcServer build() {
            return new RpcServer(this);
        }

        public RpcServer start() {
            return build().start();
        }
    }
}
