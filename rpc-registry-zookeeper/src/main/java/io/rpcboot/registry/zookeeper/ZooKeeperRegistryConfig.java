package io.rpcboot.registry.zookeeper;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable, validated settings of the ZooKeeper registry.
 *
 * @param address           ZooKeeper connect string, e.g. {@code zk1:2181,zk2:2181}
 * @param rootPath          the znode under which every service lives, e.g. {@code /rpc-boot}
 * @param sessionTimeout    how long ZooKeeper keeps a silent client's ephemeral nodes
 * @param connectionTimeout how long to wait for the first connection (startup fails after it)
 * @param retryBaseSleep    first pause of the exponential back-off between retries
 * @param maxRetries        retries of a failed ZooKeeper operation
 */
public record ZooKeeperRegistryConfig(String address, String rootPath, Duration sessionTimeout, Duration connectionTimeout,
                                      Duration retryBaseSleep, int maxRetries) {

    public static final String DEFAULT_ROOT = "/rpc-boot";

    public ZooKeeperRegistryConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(rootPath, "rootPath");
        if (address.isBlank()) {
            throw new IllegalArgumentException("address must name at least one ZooKeeper server (host:port)");
        }
        if (!rootPath.startsWith("/") || (rootPath.length() > 1 && rootPath.endsWith("/"))) {
            throw new IllegalArgumentException("rootPath must start with / and not end with one, was " + rootPath);
        }
        requirePositive("sessionTimeout", sessionTimeout);
        requirePositive("connectionTimeout", connectionTimeout);
        requirePositive("retryBaseSleep", retryBaseSleep);
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, was " + maxRetries);
        }
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + d);
        }
    }

    /** 30 s session, 5 s connection, back-off from 200 ms, 5 retries, root {@value #DEFAULT_ROOT}. */
    public static ZooKeeperRegistryConfig of(String address) {
        return new ZooKeeperRegistryConfig(address, DEFAULT_ROOT, Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofMillis(200), 5);
    }

    public ZooKeeperRegistryConfig withSessionTimeout(Duration d) {
        return new ZooKeeperRegistryConfig(address, rootPath, d, connectionTimeout, retryBaseSleep, maxRetries);
    }

    public ZooKeeperRegistryConfig withConnectionTimeout(Duration d) {
        return new ZooKeeperRegistryConfig(address, rootPath, sessionTimeout, d, retryBaseSleep, maxRetries);
    }

    public ZooKeeperRegistryConfig withRootPath(String root) {
        return new ZooKeeperRegistryConfig(address, root, sessionTimeout, connectionTimeout, retryBaseSleep, maxRetries);
    }
}
