package io.rpcboot.autoconfigure;

import org.jspecify.annotations.Nullable;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.resources.RpcResources;
import io.rpcboot.core.balance.LoadBalancers;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.registry.InMemoryServiceRegistry;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.serialize.TypeAllowList;
import io.rpcboot.core.server.ServerConfig;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;

/**
 * The one place where {@link RpcProperties} become the core's configurations. Ranges are checked once,
 * by the core's builders, whose {@link IllegalArgumentException} names the parameter
 * ({@code "maxHeaderSize must be 256 B .. 1 MiB, was 100"}); this class turns that parameter into
 * the property ({@code rpc.server.limits.max-header-size}) and stops startup with an
 * {@link InvalidConfigurationPropertyValueException}, which Boot's failure analyzer prints as such.
 * What is left here is only what the core cannot know: {@code 0} meaning one thread per processor,
 * sizes too large for an {@code int}, names looked up in the application's beans.
 */
final class RpcConfigurations {

    /** {@link ServerConfig} parameters bound under {@code rpc.server.limits} rather than {@code rpc.server}. */
    private static final Set<String> SERVER_LIMITS = Set.of("maxConnections", "maxConnectionsPerAddress",
            "maxAcceptsPerSecond", "maxConnectionAge", "maxConcurrentCallsPerConnection");

    private RpcConfigurations() {
    }

    static RpcResources resources(RpcProperties properties) {
        RpcProperties.BufferPool p = properties.getBufferPool();
        int maxBufferSize = toInt("rpc.buffer-pool.max-buffer-size", p.getMaxBufferSize());
        return build(parameter -> switch (parameter) {
            case "maxBufferSize" -> "rpc.buffer-pool.max-buffer-size";
            case "maxPooledBytes" -> "rpc.buffer-pool.max-pooled";
            case "clientIoThreads" -> "rpc.client.io-threads";
            case "serverIoThreads" -> "rpc.server.io-threads";
            default -> "rpc.buffer-pool." + kebab(parameter);
        }, () -> RpcResources.builder().maxBufferSize(maxBufferSize).maxPooledBytes(p.getMaxPooled().toBytes())
                .directBuffers(p.isDirect()).clientIoThreads(threads(properties.getClient().getIoThreads()))
                .serverIoThreads(threads(properties.getServer().getIoThreads())).build());
    }

    /** rpc.server.virtual-threads if set, else whether Spring Boot runs on virtual threads. */
    static boolean virtualThreads(RpcProperties.Server p, boolean bootVirtualThreads) {
        Boolean set = p.getVirtualThreads();
        return set != null ? set : bootVirtualThreads;
    }

    /** @param bootVirtualThreads whether Spring Boot runs on virtual threads: what an unset rpc.server.virtual-threads follows */
    static ServerConfig server(RpcProperties.Server p, io.rpcboot.core.tls.@Nullable TlsConfig tls,
                               boolean bootVirtualThreads) {
        boolean virtualThreads = virtualThreads(p, bootVirtualThreads);
        RpcProperties.ServerLimits l = p.getLimits();
        PeerLimits peerLimits = peerLimits("rpc.server.limits", l);
        int maxFrameSize = toInt("rpc.server.max-frame-size", p.getMaxFrameSize());
        int compressionThreshold = toInt("rpc.server.compression-threshold", p.getCompressionThreshold());
        RpcProperties.ConcurrencyLimit cl = p.getConcurrencyLimit();
        io.rpcboot.core.server.ConcurrencyLimit concurrencyLimit = !cl.isEnabled() ? null
                : build(parameter -> "rpc.server.concurrency-limit." + (parameter.startsWith("concurrency") ? "min"
                        : kebab(parameter)), () -> new io.rpcboot.core.server.ConcurrencyLimit(cl.getInitial(),
                        cl.getMin(), cl.getMax(), cl.getTolerance()));
        Map<String, Double> rateLimits = new java.util.LinkedHashMap<>();
        Map<String, io.rpcboot.core.server.ExecutionMode> executions = new java.util.LinkedHashMap<>();
        p.getServices().forEach((service, limits) -> {
            String prefix = "rpc.server.services[" + service + "]";
            rateLimit(rateLimits, service, prefix + ".rate-limit", limits.getRateLimit());
            if (limits.getExecution() != null) {
                executions.put(service, limits.getExecution());
            }
            limits.getMethods().forEach((method, m) -> {
                rateLimit(rateLimits, service + "#" + method, prefix + ".methods[" + method + "].rate-limit",
                        m.getRateLimit());
                if (m.getExecution() != null) {
                    executions.put(service + "#" + method, m.getExecution());
                }
            });
        });
        int maxHttpHeaderSize = toInt("rpc.server.http.max-header-size", p.getHttp().getMaxHeaderSize());
        int maxHttpPipelinedSize = toInt("rpc.server.http.max-pipelined-size", p.getHttp().getMaxPipelinedSize());
        int maxDatagramSize = toInt("rpc.server.udp.max-datagram-size", p.getUdp().getMaxDatagramSize());
        return build(parameter -> parameter.equals("udpEnabled") ? "rpc.server.udp.enabled"
                : parameter.equals("maxDatagramSize") ? "rpc.server.udp.max-datagram-size"
                : parameter.equals("maxHttpHeaderSize") ? "rpc.server.http.max-header-size"
                : parameter.equals("maxHttpHeaderFields") ? "rpc.server.http.max-header-fields"
                : parameter.equals("maxHttpPipelinedSize") ? "rpc.server.http.max-pipelined-size"
                : (SERVER_LIMITS.contains(parameter) ? "rpc.server.limits." : "rpc.server.")
                + kebab(parameter), () -> ServerConfig.builder().host(p.getHost()).port(p.getPort())
                .advertisedHost(p.getAdvertisedHost()).ioThreads(threads(p.getIoThreads()))
                .workerThreads(p.getWorkerThreads()).queueCapacity(p.getQueueCapacity()).executionMode(p.getExecutionMode())
                .virtualThreads(virtualThreads)
                .maxFrameSize(maxFrameSize).idleTimeout(p.getIdleTimeout()).drainTimeout(p.getDrainTimeout())
                .checksum(p.isChecksum()).compressionThreshold(compressionThreshold).peerLimits(peerLimits)
                .maxConnections(l.getMaxConnections()).maxConnectionsPerAddress(l.getMaxConnectionsPerAddress())
                .maxAcceptsPerSecond(l.getMaxAcceptsPerSecond()).maxConnectionAge(l.getMaxConnectionAge())
                .maxConcurrentCallsPerConnection(l.getMaxConcurrentCallsPerConnection())
                .errorLogLevel(p.getErrorLogLevel()).sendStackTraces(p.isSendStackTraces()).transport(p.getTransport())
                .rateLimits(rateLimits).executions(executions).concurrencyLimit(concurrencyLimit).tls(tls)
                .httpEnabled(p.getHttp().isEnabled()).maxHttpHeaderSize(maxHttpHeaderSize)
                .maxHttpHeaderFields(p.getHttp().getMaxHeaderFields()).maxHttpPipelinedSize(maxHttpPipelinedSize)
                // the in-process transport (test slices) has no UDP: the setting is ignored there
                .udpEnabled(p.getUdp().isEnabled() && p.getTransport() == ServerConfig.Transport.TCP)
                .maxDatagramSize(maxDatagramSize).build());
    }

    static ClientConfig client(RpcProperties properties, LoadBalancers balancers, Serializations serializations) {
        return client(properties, balancers, serializations, null);
    }

    static ClientConfig client(RpcProperties properties, LoadBalancers balancers, Serializations serializations,
                               io.rpcboot.core.tls.@Nullable TlsConfig tls) {
        RpcProperties.Client p = properties.getClient();
        try {
            balancers.get(p.getLoadBalancer());
        } catch (IllegalArgumentException e) {
            throw invalid("rpc.client.load-balancer", p.getLoadBalancer(), e.getMessage());
        }
        try {
            serializations.byName(properties.getSerialization());
        } catch (IllegalArgumentException e) {
            throw invalid("rpc.serialization", properties.getSerialization(), e.getMessage());
        }
        PeerLimits peerLimits = peerLimits("rpc.client.limits", p.getLimits());
        int maxFrameSize = toInt("rpc.client.max-frame-size", p.getMaxFrameSize());
        RpcProperties.RetryBudget rb = p.getRetryBudget();
        io.rpcboot.core.client.RetryBudget retryBudget = build(parameter -> "rpc.client.retry-budget." + kebab(parameter),
                () -> new io.rpcboot.core.client.RetryBudget(rb.getRatio(), rb.getMinPerSecond(), rb.getWindow()));
        RpcProperties.OutlierDetection od = p.getOutlierDetection();
        io.rpcboot.core.client.OutlierDetection outliers = build(parameter -> "rpc.client.outlier-detection."
                + kebab(parameter),
                () -> new io.rpcboot.core.client.OutlierDetection(od.getConsecutiveFailures(), od.getBaseEjection(),
                        od.getMaxEjection(), od.getMaxEjectedPercent(), od.getFailureRatePercent(),
                        od.getFailureRateMinimumCalls(), od.getFailureRateInterval(), od.getSlowStart()));
        return build(parameter -> parameter.equals("serialization") ? "rpc.serialization" : "rpc.client." + kebab(parameter),
                () -> ClientConfig.builder().timeout(p.getTimeout()).connectTimeout(p.getConnectTimeout())
                        .connectionsPerEndpoint(p.getConnectionsPerEndpoint())
                        .maxInFlightPerConnection(p.getMaxInFlightPerConnection())
                        .heartbeatInterval(p.getHeartbeatInterval()).idleConnectionTimeout(p.getIdleConnectionTimeout())
                        .retries(p.getRetries()).loadBalancer(p.getLoadBalancer())
                        .serialization(properties.getSerialization()).ioThreads(threads(p.getIoThreads()))
                        .maxFrameSize(maxFrameSize).peerLimits(peerLimits).metadata(p.getMetadata())
                        .propagatedMetadata(new java.util.LinkedHashSet<>(p.getPropagatedMetadata())).tls(tls)
                        .retryBudget(retryBudget).outlierDetection(outliers).build());
    }

    private static void rateLimit(Map<String, Double> limits, String key, String property, @Nullable Double perSecond) {
        if (perSecond == null) {
            return;
        }
        if (!(perSecond > 0) || perSecond.isInfinite()) {
            throw invalid(property, perSecond, "a rate limit is a number of calls a second, > 0");
        }
        limits.put(key, perSecond);
    }

    /** {@code maxHeaderSize} under {@code rpc.server.limits} is {@code rpc.server.limits.max-header-size}. */
    static PeerLimits peerLimits(String prefix, RpcProperties.Limits l) {
        int maxHeaderSize = toInt(prefix + ".max-header-size", l.getMaxHeaderSize());
        int lowWaterMark = toInt(prefix + ".low-water-mark", l.getLowWaterMark());
        int highWaterMark = toInt(prefix + ".high-water-mark", l.getHighWaterMark());
        return build(parameter -> prefix + "." + kebab(parameter), () -> PeerLimits.builder().maxHeaderSize(maxHeaderSize)
                .maxAttachments(l.getMaxAttachments()).maxInflateRatio(l.getMaxInflateRatio())
                .frameTimeout(l.getFrameTimeout()).maxHeartbeatsPerSecond(l.getMaxHeartbeatsPerSecond())
                .waterMarks(lowWaterMark, highWaterMark).maxPendingWriteBytes(l.getMaxPendingWriteBytes().toBytes())
                .maxDecodeRatio(l.getMaxDecodeRatio()).build());
    }

    /**
     * Runs a core builder. Its {@link IllegalArgumentException} starts with the parameter's name and
     * ends with {@code "was <value>"}; it becomes a failure naming {@code property.apply(parameter)}.
     */
    static <T> T build(Function<String, String> property, Supplier<T> builder) {
        try {
            return builder.get();
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            int space = message.indexOf(' ');
            String parameter = space > 0 ? message.substring(0, space) : message;
            int was = message.lastIndexOf("was ");
            throw invalid(property.apply(parameter), was >= 0 ? message.substring(was + 4) : "", message);
        }
    }

    /** {@code maxHeaderSize} -> {@code max-header-size}. */
    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    static TypeAllowList allowList(List<String> typeNames, ClassLoader classLoader) {
        TypeAllowList list = new TypeAllowList();
        for (String name : typeNames) {
            try {
                list.allow(ClassUtils.forName(name.strip(), classLoader));
            } catch (ClassNotFoundException | LinkageError e) {
                throw invalid("rpc.allowed-types", name, "no such class on the class path");
            }
        }
        return list;
    }

    static InMemoryServiceRegistry memoryRegistry(RpcProperties.Registry p) {
        InMemoryServiceRegistry registry = new InMemoryServiceRegistry();
        p.getInstances().forEach((service, addresses) -> {
            for (String address : addresses) {
                try {
                    ServiceInstance.parse(new ServiceKey(service, "", ""), address);
                } catch (IllegalArgumentException e) {
                    throw invalid("rpc.registry.instances[" + service + "]", address, e.getMessage());
                }
            }
            registry.seed(service, addresses.stream().map(String::strip).toList());
        });
        return registry;
    }

    static InvalidConfigurationPropertyValueException invalid(String name, Object value, String reason) {
        return new InvalidConfigurationPropertyValueException(name, value, reason);
    }

    /** The properties' {@code 0} means one thread per processor; any other value goes to the core as it is. */
    private static int threads(int configured) {
        return configured == 0 ? Math.max(1, Runtime.getRuntime().availableProcessors()) : configured;
    }

    /** A size the core takes as an {@code int}: its range is the core's to check, not whether it fits. */
    static int toInt(String property, DataSize size) {
        long bytes = size.toBytes();
        if (bytes > Integer.MAX_VALUE || bytes < Integer.MIN_VALUE) {
            throw invalid(property, size, "must be at most " + Integer.MAX_VALUE + "B");
        }
        return (int) bytes;
    }
}
