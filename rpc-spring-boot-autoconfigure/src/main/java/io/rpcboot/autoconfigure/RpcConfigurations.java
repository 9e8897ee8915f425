package io.rpcboot.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import io.rpcboot.core.balance.LoadBalancers;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.internal.protocol.PeerLimits;
import io.rpcboot.core.registry.InMemoryServiceRegistry;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.serialize.TypeAllowList;
import io.rpcboot.core.server.ExecutionMode;
import io.rpcboot.core.server.ServerConfig;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;

/**
 * The one place where {@link RpcProperties} become the core's validated configurations. A value the
 * core refuses stops startup with an {@link InvalidConfigurationPropertyValueException} naming the
 * property, the value and the reason (Boot's failure analyzer prints it as such).
 */
final class RpcConfigurations {

    private RpcConfigurations() {
    }

    static ServerConfig server(RpcProperties.Server p) {
        ExecutionMode mode = switch (p.getExecutionMode().toLowerCase(Locale.ROOT)) {
            case "pool" -> ExecutionMode.POOL;
            case "direct" -> ExecutionMode.DIRECT;
            default -> throw invalid("rpc.server.execution-mode", p.getExecutionMode(), "must be pool or direct");
        };
        positive("rpc.server.port", p.getPort(), 0, 65535);
        positive("rpc.server.io-threads", p.getIoThreads(), 0, 1024);
        positive("rpc.server.worker-threads", p.getWorkerThreads(), 1, 100_000);
        positive("rpc.server.queue-capacity", p.getQueueCapacity(), 0, Integer.MAX_VALUE);
        ServerConfig.Builder config = ServerConfig.builder().host(p.getHost()).port(p.getPort()).advertisedHost(p.getAdvertisedHost())
                .ioThreads(p.getIoThreads() == 0 ? cores() : p.getIoThreads()).workerThreads(p.getWorkerThreads())
                .queueCapacity(p.getQueueCapacity()).executionMode(mode)
                .maxFrameSize(bytes("rpc.server.max-frame-size", p.getMaxFrameSize(), 1024))
                .idleTimeout(nonNegative("rpc.server.idle-timeout", p.getIdleTimeout()))
                .drainTimeout(nonNegative("rpc.server.drain-timeout", p.getDrainTimeout())).checksum(p.isChecksum())
                .compressionThreshold(bytes("rpc.server.compression-threshold", p.getCompressionThreshold(), 0))
                .peerLimits(peerLimits("rpc.server.limits", p.getLimits()));
        RpcProperties.ServerLimits l = p.getLimits();
        return build("rpc.server.limits", () -> config.maxConnections(l.getMaxConnections())
                .maxConnectionsPerAddress(l.getMaxConnectionsPerAddress()).maxAcceptsPerSecond(l.getMaxAcceptsPerSecond())
                .maxConnectionAge(l.getMaxConnectionAge())
                .maxConcurrentCallsPerConnection(l.getMaxConcurrentCallsPerConnection()).build());
    }

    /**
     * The core validates each limit and names the parameter that is wrong; this turns that name into
     * the property (e.g. {@code maxHeaderSize} under {@code rpc.server.limits} is
     * {@code rpc.server.limits.max-header-size}).
     */
    static PeerLimits peerLimits(String prefix, RpcProperties.Limits l) {
        return build(prefix, () -> PeerLimits.builder()
                .maxHeaderSize(bytes(prefix + ".max-header-size", l.getMaxHeaderSize(), 0))
                .maxAttachments(l.getMaxAttachments()).maxInflateRatio(l.getMaxInflateRatio())
                .frameTimeout(l.getFrameTimeout()).maxHeartbeatsPerSecond(l.getMaxHeartbeatsPerSecond())
                .waterMarks(bytes(prefix + ".low-water-mark", l.getLowWaterMark(), 0),
                        bytes(prefix + ".high-water-mark", l.getHighWaterMark(), 0))
                .maxPendingWriteBytes(l.getMaxPendingWriteBytes().toBytes()).maxDecodeRatio(l.getMaxDecodeRatio()).build());
    }

    private static <T> T build(String prefix, Supplier<T> builder) {
        try {
            return builder.get();
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            int space = message.indexOf(' ');
            String parameter = space > 0 ? message.substring(0, space) : message;
            int was = message.lastIndexOf("was ");
            throw invalid(prefix + "." + kebab(parameter), was >= 0 ? message.substring(was + 4) : "", message);
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    static ClientConfig client(RpcProperties properties, LoadBalancers balancers, Serializations serializations) {
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
        return ClientConfig.builder().timeout(strictlyPositive("rpc.client.timeout", p.getTimeout()))
                .connectTimeout(strictlyPositive("rpc.client.connect-timeout", p.getConnectTimeout()))
                .connectionsPerEndpoint(positive("rpc.client.connections-per-endpoint", p.getConnectionsPerEndpoint(), 1, 64))
                .maxInFlightPerConnection(positive("rpc.client.max-in-flight-per-connection",
                        p.getMaxInFlightPerConnection(), 1, Integer.MAX_VALUE))
                .heartbeatInterval(nonNegative("rpc.client.heartbeat-interval", p.getHeartbeatInterval()))
                .idleConnectionTimeout(nonNegative("rpc.client.idle-connection-timeout", p.getIdleConnectionTimeout()))
                .retries(positive("rpc.client.retries", p.getRetries(), 0, 100)).loadBalancer(p.getLoadBalancer())
                .serialization(properties.getSerialization())
                .ioThreads(positive("rpc.client.io-threads", p.getIoThreads(), 0, 1024) == 0 ? cores() : p.getIoThreads())
                .maxFrameSize(bytes("rpc.client.max-frame-size", p.getMaxFrameSize(), 1024))
                .peerLimits(peerLimits("rpc.client.limits", p.getLimits())).build();
    }

    static BufferPool bufferPool(RpcProperties.BufferPool p) {
        long maxBuffer = p.getMaxBufferSize().toBytes();
        if (maxBuffer < 256 || maxBuffer > (1 << 30) || Long.bitCount(maxBuffer) != 1) {
            throw invalid("rpc.buffer-pool.max-buffer-size", p.getMaxBufferSize(), "must be a power of two from 256B to 1GB");
        }
        if (p.getMaxPooled().isNegative()) {
            throw invalid("rpc.buffer-pool.max-pooled", p.getMaxPooled(), "must not be negative");
        }
        return BufferPool.builder().maxBufferSize((int) maxBuffer).maxPooledBytes(p.getMaxPooled().toBytes())
                .direct(p.isDirect()).build();
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

    private static int positive(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw invalid(name, value, "must be between " + min + " and " + max);
        }
        return value;
    }

    private static Duration nonNegative(String name, Duration d) {
        if (d.isNegative()) {
            throw invalid(name, d, "must not be negative");
        }
        return d;
    }

    private static Duration strictlyPositive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw invalid(name, d, "must be greater than zero");
        }
        return d;
    }

    private static int bytes(String name, DataSize size, long min) {
        long b = size.toBytes();
        if (b < min || b > Integer.MAX_VALUE) {
            throw invalid(name, size, "must be between " + min + "B and " + Integer.MAX_VALUE + "B");
        }
        return (int) b;
    }

    private static int cores() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }
}
