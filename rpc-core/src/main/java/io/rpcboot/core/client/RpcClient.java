package io.rpcboot.core.client;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Tags;
import io.rpcboot.core.intercept.ClientInterceptor;
import io.rpcboot.core.internal.metrics.Meters;
import io.rpcboot.core.resources.RpcResources;
import io.rpcboot.core.balance.LoadBalancers;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.internal.pool.ConnectionPool;
import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import io.rpcboot.core.internal.resources.ResourceParts;
import io.rpcboot.core.registry.InMemoryServiceRegistry;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.serialize.TypeAllowList;
import org.jspecify.annotations.Nullable;

/**
 * Makes proxies that call remote services.
 *
 * <pre>{@code
 * try (RpcClient client = RpcClient.builder().staticInstances(Greeter.class, "127.0.0.1:7070").build()) {
 *     Greeter greeter = client.create(Greeter.class);
 *     greeter.greet("world");
 * }
 * }</pre>
 *
 * <p>Thread-safe; proxies may be shared by any number of threads. Synchronous methods block their
 * caller until the response or the deadline; methods returning {@code CompletableFuture} block
 * nobody (their future completes on an I/O thread: use the {@code *Async} stages for slow work).
 */
public final class RpcClient implements AutoCloseable {

    private final ClientRuntime runtime;
    private final boolean ownsLoops;
    private final List<Reference<?>> references = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private boolean gaugesRegistered;

    private RpcClient(Builder b) {
        ResourceParts shared = b.resources != null ? ResourceParts.of(b.resources) : null;
        EventLoopGroup sharedLoops = shared != null ? shared.clientLoops() : null;
        this.ownsLoops = sharedLoops == null;
        EventLoopGroup loops = sharedLoops != null ? sharedLoops
                : new EventLoopGroup("rpc-client-io", b.config.ioThreads(), true);
        RpcMetrics metrics = b.metrics != null ? b.metrics : RpcMetrics.simple();
        BufferPool pool = shared != null ? shared.bufferPool() : BufferPool.createDefault();
        CallClock clock = shared != null ? shared.clock() : CallClock.SYSTEM;
        Serializations serializations = b.serializations != null ? b.serializations
                : Serializations.defaults(new TypeAllowList());
        this.runtime = new ClientRuntime(b.config, loops, pool, b.registry, serializations, b.balancers, metrics, clock,
                b.interceptors);
        scheduleEviction();
    }

    /** The client side's gauges, with the first reference: an application that makes none exports none. */
    private void registerGauges() {
        if (gaugesRegistered) {
            return;
        }
        gaugesRegistered = true;
        runtime.meters();
        Meters meters = Meters.of(runtime.metrics);
        meters.gauge(Meters.Side.CLIENT, "connections", "Open connections to providers", this,
                c -> c.poolStats().values().stream().mapToInt(ConnectionPoolStats::connections).sum());
        meters.gauge(Meters.Side.CLIENT, "inflight", "Calls waiting for a response", runtime,
                r -> Math.max(0, r.inFlight.sum()));
        meters.gauge(Meters.Side.CLIENT, "pool.leases", "Calls holding a pooled connection", this,
                c -> c.poolStats().values().stream().mapToInt(ConnectionPoolStats::leases).sum());
        meters.gauge(Meters.Side.CLIENT, "pool.waiting", "Calls waiting for a pooled connection", this,
                c -> c.poolStats().values().stream().mapToInt(ConnectionPoolStats::waiting).sum());
        meters.bufferPool(runtime.pool::stats);
        runtime.metrics.registryConnected(runtime.registry.name(), runtime.registry::connectionState);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A proxy for {@code serviceInterface} with the default version, group and settings. */
    public <T> T create(Class<T> serviceInterface) {
        return create(ReferenceConfig.builder(serviceInterface).build());
    }

    /**
     * A proxy for the service {@code config} describes.
     *
     * @throws IllegalArgumentException naming the problem (unknown balancer or serialization, a method
     *                                  whose types cannot be serialized, a bad url)
     */
    public synchronized <T> T create(ReferenceConfig<T> config) {
        if (closed) {
            throw new IllegalStateException("client is closed");
        }
        registerGauges();
        Reference<T> reference = new Reference<>(config, runtime);
        references.add(reference);
        String service = reference.key.interfaceName();
        Meters.of(runtime.metrics).gauge("rpc.client.instances", Tags.of("service", service), null,
                "Instances known to the client's references to the service (the fewest, if several)", service,
                name -> references.stream().filter(r -> r.key.interfaceName().equals(name))
                        .mapToInt(r -> r.directory.instances().size()).min().orElse(0));
        Class<T> type = config.interfaceClass();
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, reference));
    }

    /** Connection pool figures per provider address ({@code host:port}), in no particular order. */
    public Map<String, ConnectionPoolStats> poolStats() {
        Map<String, ConnectionPoolStats> stats = new LinkedHashMap<>();
        for (Endpoint e : runtime.endpoints()) {
            ConnectionPool.Stats s = e.pool.stats();
            stats.put(e.address, new ConnectionPoolStats(s.size(), s.leased(), s.idle(), s.leases(), s.waiting(),
                    s.created(), s.destroyed(), s.acquired(), s.timeouts(), s.validationFailures()));
        }
        return stats;
    }

    /**
     * The provider addresses this client leaves out right now ({@link OutlierDetection}), with how
     * long each ejection has left (zero: it is over, and the address waits for a probe), by address.
     */
    public Map<String, Duration> ejected() {
        Map<String, Duration> out = new LinkedHashMap<>();
        for (InstanceHealth h : health()) {
            if (h.state().equals("ejected")) {
                out.put(h.address(), h.ejectedFor());
            }
        }
        return out;
    }

    /**
     * The health of every provider address this client knows, as {@link OutlierDetection} sees it:
     * for operators ({@code /actuator/rpc}), sorted by address.
     */
    public List<InstanceHealth> health() {
        List<InstanceHealth> out = new ArrayList<>();
        long now = System.nanoTime();
        for (Endpoint e : runtime.endpoints()) {
            boolean ejected = e.isEjected();
            double share = e.callShare();
            String state = ejected ? "ejected" : e.isUnreachable() ? "unreachable" : !e.isAvailable() ? "draining"
                    : share < 1 ? "slow-start" : "healthy";
            out.add(new InstanceHealth(e.address, state,
                    ejected ? Duration.ofNanos(Math.max(0, e.outlier.ejectedUntil() - now)) : Duration.ZERO,
                    e.outlier.ejections(), (int) Math.round(share * 100), e.isProbing()));
        }
        out.sort(java.util.Comparator.comparing(InstanceHealth::address));
        return out;
    }

    /**
     * One provider address as this client sees it.
     *
     * @param state        {@code healthy}, {@code slow-start}, {@code ejected}, {@code unreachable} (a
     *                     connect failed; only probes go there) or {@code draining}
     * @param ejectedFor   how long the ejection has left; zero when not ejected, or when it is over and
     *                     the address waits for a probe to answer
     * @param ejections    times it was ejected
     * @param sharePercent the share of its calls it takes now: below 100 while slow-starting
     * @param probing      whether a background probe is scheduled or running
     */
    public record InstanceHealth(String address, String state, Duration ejectedFor, int ejections, int sharePercent,
                                 boolean probing) {
    }

    /**
     * Calls waiting for a response right now. Summed without stopping the callers, so while calls
     * start and end it is a close estimate; when they have stopped it is exact.
     */
    public int inFlight() {
        return (int) Math.max(0, runtime.inFlight.sum());
    }

    /** What each reference made by this client resolved to, for operators. */
    public List<ReferenceInfo> references() {
        List<ReferenceInfo> infos = new ArrayList<>();
        for (Reference<?> r : references) {
            infos.add(r.info());
        }
        return infos;
    }

    public ClientConfig config() {
        return runtime.config;
    }

    /** Closes every connection and stops the client's threads; calls in flight fail. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        references.forEach(r -> Meters.of(runtime.metrics).removeGauge("rpc.client.instances",
                Tags.of("service", r.key.interfaceName())));
        references.forEach(Reference::close);
        runtime.closeEndpoints();
        runtime.tcp.close();
        runtime.connector.shutdown();
        if (ownsLoops) {
            runtime.loops.close();
        }
    }

    private void scheduleEviction() {
        Duration idle = runtime.config.idleConnectionTimeout();
        if (idle.isZero()) {
            return;
        }
        long period = Math.max(1000, Math.min(idle.toMillis() / 2, 30_000));
        try {
            runtime.loops.next().schedule(period, TimeUnit.MILLISECONDS, () -> {
                if (closed) {
                    return;
                }
                long now = System.nanoTime();
                for (Endpoint e : runtime.endpoints()) {
                    e.pool.evictIdle(now);
                }
                scheduleEviction();
            });
        } catch (RejectedExecutionException e) {
            // the loops are stopping: nothing left to evict
        }
    }

    /**
     * What one proxy made by this client resolved to, or null when {@code proxy} is not one of its
     * proxies: what {@link #references()} reports, for one reference.
     */
    public @Nullable ReferenceInfo referenceOf(Object proxy) {
        if (Proxy.isProxyClass(proxy.getClass()) && Proxy.getInvocationHandler(proxy) instanceof Reference<?> r
                && references.contains(r)) {
            return r.info();
        }
        return null;
    }

    /** One reference as resolved: the effective settings and the instances it currently sees. */
    public record ReferenceInfo(String service, Duration timeout, int retries, boolean idempotent, String loadBalancer,
                                String serialization, List<String> urls, List<String> instances, List<MethodInfo> methods) {
    }

    /**
     * One method of a reference as resolved: each effective setting and where it came from.
     *
     * @param method the method's {@link io.rpcboot.core.RpcMethod#key() key}
     */
    public record MethodInfo(String method, Duration timeout, SettingSource timeoutSource, boolean idempotent,
                             SettingSource idempotentSource, int retries, SettingSource retriesSource) {
    }

    /** Where a method's effective setting came from, most specific first. */
    public enum SettingSource {
        /** The reference's settings for the method ({@link ReferenceConfig#methods()}). */
        METHOD_CONFIG,
        /** The method's {@link io.rpcboot.annotation.RpcMethodOptions}. */
        METHOD_ANNOTATION,
        /** The reference's own settings. */
        REFERENCE,
        /** The client's defaults ({@link ClientConfig}). */
        CLIENT
    }

    /** Collects what a client needs. */
    public static final class Builder {
        private ClientConfig config = ClientConfig.builder().build();
        private @Nullable ServiceRegistry registry;
        private @Nullable InMemoryServiceRegistry seeds;
        private LoadBalancers balancers = new LoadBalancers();
        private @Nullable Serializations serializations;
        private @Nullable RpcMetrics metrics;
        private @Nullable RpcResources resources;
        private final List<ClientInterceptor> interceptors = new ArrayList<>();

        private Builder() {
        }

        /** Adds an interceptor around every call; the first added is the outermost. */
        public Builder interceptor(ClientInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /** Adds interceptors around every call, outermost first. */
        public Builder interceptors(List<? extends ClientInterceptor> list) {
            list.forEach(this::interceptor);
            return this;
        }

        public Builder config(ClientConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        public Builder registry(ServiceRegistry registry) {
            this.registry = registry;
            return this;
        }

        /** Static addresses for a service, in an in-memory registry (used when no registry is given). */
        public Builder staticInstances(Class<?> serviceInterface, String... addresses) {
            if (seeds == null) {
                seeds = new InMemoryServiceRegistry();
            }
            seeds.seed(serviceInterface.getName(), List.of(addresses));
            return this;
        }

        public Builder loadBalancers(LoadBalancers balancers) {
            this.balancers = Objects.requireNonNull(balancers, "balancers");
            return this;
        }

        public Builder serializations(Serializations serializations) {
            this.serializations = serializations;
            return this;
        }

        public Builder metrics(RpcMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /**
         * The buffer pool and event loops to use, shared with other clients and servers; the client
         * does not close them. By default the client has a pool and loops of its own.
         */
        public Builder resources(RpcResources resources) {
            this.resources = Objects.requireNonNull(resources, "resources");
            return this;
        }

        public RpcClient build() {
            if (registry == null) {
                registry = seeds != null ? seeds : new InMemoryServiceRegistry();
            } else if (seeds != null) {
                throw new IllegalStateException("give either a registry or static instances, not both");
            }
            return new RpcClient(this);
        }
    }
}
