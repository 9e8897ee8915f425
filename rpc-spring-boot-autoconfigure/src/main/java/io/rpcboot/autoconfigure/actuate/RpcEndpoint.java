package io.rpcboot.autoconfigure.actuate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.rpcboot.autoconfigure.RpcCircuitBreakerFactory;
import io.rpcboot.autoconfigure.RpcServerLifecycle;
import io.rpcboot.autoconfigure.RpcServiceCatalog;
import io.rpcboot.core.BufferPoolStats;
import io.rpcboot.core.resources.RpcResources;
import io.rpcboot.core.client.ConnectionPoolStats;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.registry.RegistryConnectionState;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.serialize.TypeAllowList;
import io.rpcboot.core.server.RpcServer;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/rpc}: what this application provides and references (with the effective timeout,
 * retries and balancer of each reference, and where each value came from), the instances the
 * registry knows, open connections, connection-pool and buffer-pool state, and the allow-listed types.
 *
 * <p>Its write operations (read-only by default: {@code management.endpoint.rpc.access=unrestricted}
 * allows them, behind whatever secures Actuator) operate this instance: {@code POST
 * /actuator/rpc/out-of-service} withdraws it from the registry and tells its clients to go elsewhere
 * while it keeps serving calls in flight, {@code POST /actuator/rpc/in-service} announces it again,
 * and {@code POST /actuator/rpc/weight} with {@code {"service": "<service key>", "weight": 50}} gives
 * one of its services another weight.
 */
@Endpoint(id = "rpc", defaultAccess = Access.READ_ONLY)
public class RpcEndpoint {

    private final RpcServiceCatalog catalog;
    private final RpcClient client;
    private final ObjectProvider<RpcServerLifecycle> server;
    private final ServiceRegistry registry;
    private final RpcResources resources;
    private final TypeAllowList allowList;
    private final ObjectProvider<RpcCircuitBreakerFactory> breakers;

    public RpcEndpoint(RpcServiceCatalog catalog, RpcClient client, ObjectProvider<RpcServerLifecycle> server,
                       ServiceRegistry registry, RpcResources resources, TypeAllowList allowList,
                       ObjectProvider<RpcCircuitBreakerFactory> breakers) {
        this.breakers = breakers;
        this.catalog = catalog;
        this.client = client;
        this.server = server;
        this.registry = registry;
        this.resources = resources;
        this.allowList = allowList;
    }

    /**
     * Operates this instance's server: {@code out-of-service}, {@code in-service}, or {@code weight}
     * (with {@code service}, a provided service's key as the report lists it, and {@code weight}).
     */
    @WriteOperation
    public OperationReport operate(@Selector String operation, @Nullable String service, @Nullable Integer weight) {
        RpcServerLifecycle lifecycle = server.getIfAvailable();
        if (lifecycle == null || lifecycle.isIdle()) {
            throw new InvalidEndpointRequestException("this application runs no rpc server", "no rpc server");
        }
        boolean changed = switch (operation) {
            case "out-of-service" -> lifecycle.outOfService();
            case "in-service" -> lifecycle.inService();
            case "weight" -> {
                if (service == null || weight == null) {
                    throw new InvalidEndpointRequestException("weight needs a service and a weight, e.g."
                            + " {\"service\": \"com.example.OrderService\", \"weight\": 50}", "missing service or weight");
                }
                ServiceKey key = catalog.providers().stream().map(p -> p.definition().key())
                        .filter(k -> k.toString().equals(service)).findFirst()
                        .orElseThrow(() -> new InvalidEndpointRequestException("no service " + service + " is provided"
                                + " here; provided: " + catalog.providers().stream()
                                .map(p -> p.definition().key().toString()).toList(), "unknown service"));
                try {
                    lifecycle.getServer().setWeight(key, weight);
                } catch (IllegalArgumentException e) {
                    throw new InvalidEndpointRequestException(String.valueOf(e.getMessage()), "invalid weight");
                }
                yield true;
            }
            default -> throw new InvalidEndpointRequestException("unknown operation '" + operation + "'; use"
                    + " out-of-service, in-service or weight", "unknown operation");
        };
        return new OperationReport(operation, changed, lifecycle.isInService(),
                lifecycle.getServer().services().stream().collect(java.util.stream.Collectors.toMap(
                        d -> d.key().toString(), d -> d.weight(), (a, b) -> a, java.util.TreeMap::new)));
    }

    /** What an operation did: whether it changed anything, and the server's state after it. */
    public record OperationReport(String operation, boolean changed, boolean inService, Map<String, Integer> weights) {
    }

    @ReadOperation
    public RpcReport rpc() {
        RpcServerLifecycle lifecycle = server.getIfAvailable();
        ServerReport serverReport = null;
        if (lifecycle != null) {
            RpcServer s = lifecycle.getServer();
            serverReport = new ServerReport(lifecycle.isRunning() && !lifecycle.isIdle(), lifecycle.isInService(),
                    s.config().host(),
                    s.isRunning() ? s.port() : s.config().port(), s.config().executionMode().name().toLowerCase(),
                    s.openConnections(), s.inFlight());
        }
        List<ProviderReport> providers = new ArrayList<>();
        Map<String, List<String>> instances = new LinkedHashMap<>();
        for (RpcServiceCatalog.Provider p : catalog.providers()) {
            ServiceKey key = p.definition().key();
            providers.add(new ProviderReport(key.toString(), key.version(), key.group(), p.beanName(),
                    p.definition().implementation().getClass().getName(), p.definition().weight()));
            instances.put(key.toString(), addresses(registry.instances(key)));
        }
        List<RpcClient.ReferenceInfo> resolved = client.references();
        for (RpcClient.ReferenceInfo r : resolved) {
            instances.put(r.service(), r.instances());
        }
        Map<String, PoolReport> pools = new LinkedHashMap<>();
        BufferPoolStats buffers = resources.bufferPoolStats();
        client.poolStats().forEach((address, s) -> pools.put(address, PoolReport.of(s)));
        return new RpcReport(serverReport, new RegistryReport(registry.name(), registry.connectionState()), providers,
                references(), instances,
                new ConnectionsReport(serverReport == null ? 0 : serverReport.openConnections(),
                        pools.values().stream().mapToInt(PoolReport::connections).sum(), client.inFlight(), pools,
                        client.ejected(), client.health()),
                new BufferPoolReport(buffers.inUse(), buffers.pooled(), buffers.allocatedBytes(), buffers.maxPooledBytes(),
                        buffers.hits(), buffers.misses(), buffers.unpooled()),
                allowList.allowedTypeNames(), circuitBreakers());
    }

    private List<BreakerReport> circuitBreakers() {
        RpcCircuitBreakerFactory factory = breakers.getIfAvailable();
        if (factory == null) {
            return List.of();
        }
        List<BreakerReport> list = new ArrayList<>();
        factory.breakers().forEach((name, b) -> {
            CircuitBreaker.Metrics m = b.getMetrics();
            list.add(new BreakerReport(name, b.getState().name(), m.getFailureRate(), m.getSlowCallRate(),
                    m.getNumberOfBufferedCalls(), m.getNumberOfFailedCalls(), m.getNumberOfNotPermittedCalls()));
        });
        list.sort(java.util.Comparator.comparing(BreakerReport::name));
        return list;
    }

    private List<ReferenceReport> references() {
        List<ReferenceReport> list = new ArrayList<>();
        for (RpcServiceCatalog.Reference r : catalog.references()) {
            list.add(new ReferenceReport(r.injectedInto(), r.service(), Setting.of(r.timeout()), Setting.of(r.retries()),
                    Setting.of(r.idempotent()), Setting.of(r.loadBalancer()), r.urls(),
                    r.methods().stream().map(m -> new MethodReport(m.method(), Setting.of(m.timeout()),
                            Setting.of(m.idempotent()), Setting.of(m.retries()))).toList()));
        }
        return list;
    }

    private static List<String> addresses(List<ServiceInstance> instances) {
        return instances.stream().map(ServiceInstance::address).toList();
    }

    /** The whole report. */
    public record RpcReport(@Nullable ServerReport server, RegistryReport registry, List<ProviderReport> providers,
                            List<ReferenceReport> references,
                            Map<String, List<String>> instances, ConnectionsReport connections, BufferPoolReport bufferPool,
                            SortedSet<String> allowedTypes, List<BreakerReport> circuitBreakers) {
    }

    /**
     * A reference's circuit breaker: its state (CLOSED, OPEN, HALF_OPEN...), its rates over the
     * buffered calls (-1 while too few calls are measured), and the calls it refused.
     */
    public record BreakerReport(String name, String state, float failureRate, float slowCallRate, int bufferedCalls,
                                int failedCalls, long notPermittedCalls) {
    }

    /** Which registry, and its link to its backing store (LOCAL, CONNECTED, SUSPENDED or LOST). */
    public record RegistryReport(String type, RegistryConnectionState connection) {
    }

    public record ServerReport(boolean running, boolean inService, String host, int port, String executionMode,
                               int openConnections, int callsInFlight) {
    }

    public record ProviderReport(String service, String version, String group, String bean, String implementation,
                                 int weight) {
    }

    /** A value and where it came from: an annotation attribute, a property, or a property's default. */
    public record Setting<T>(T value, String source) {
        static <T> Setting<T> of(RpcServiceCatalog.Sourced<T> s) {
            return new Setting<>(s.value(), s.source());
        }
    }

    /** A reference (a field or a bean) as resolved, per method too. */
    public record ReferenceReport(String injectedInto, String service, Setting<Duration> timeout, Setting<Integer> retries,
                                  Setting<Boolean> idempotent, Setting<String> loadBalancer, List<String> urls,
                                  List<MethodReport> methods) {
    }

    /** One method of a reference: each effective value and where it came from. */
    public record MethodReport(String method, Setting<Duration> timeout, Setting<Boolean> idempotent,
                               Setting<Integer> retries) {
    }

    /**
     * @param ejected   provider addresses the client leaves out for now (outlier detection), with the time left
     * @param instances every provider address the client knows: state, ejection, slow-start share, probing
     */
    public record ConnectionsReport(int server, int client, int clientCallsInFlight, Map<String, PoolReport> clientPools,
                                    Map<String, Duration> ejected, List<RpcClient.InstanceHealth> instances) {
    }

    public record PoolReport(int connections, int leased, int idle, int leases, int waiting, long created, long destroyed,
                             long timeouts) {
        static PoolReport of(ConnectionPoolStats s) {
            return new PoolReport(s.connections(), s.leased(), s.idle(), s.leases(), s.waiting(), s.created(), s.destroyed(),
                    s.timeouts());
        }
    }

    public record BufferPoolReport(long inUse, long pooled, long allocatedBytes, long maxPooledBytes, long hits, long misses,
                                   long unpooled) {
    }
}
