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
 * @param username          digest identity of the providers ("" for none): with it the registry authenticates,
 *                          and every node it creates may be changed by that identity only and read by anyone
 * @param password          the digest identity's password
 */
public record ZooKeeperRegistryConfig(String address, String rootPath, Duration sessionTimeout, Duration connectionTimeout,
                                      Duration retryBaseSleep, int maxRetries, String username, String password) {

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
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (username.contains(":")) {
            throw new IllegalArgumentException("username must not contain ':' (digest identities are user:password), was "
                    + username);
        }
        if (username.isEmpty() != password.isEmpty()) {
            throw new IllegalArgumentException("username and password go together: give both or neither, was "
                    + (username.isEmpty() ? "a password without a username" : "username " + username + " without a password"));
        }
    }

    /** Whether the registry authenticates and protects its nodes with ACLs. */
    public boolean authenticates() {
        return !username.isEmpty();
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
                Duration.ofMillis(200), 5, "", "");
    }

    public ZooKeeperRegistryConfig withSessionTimeout(Duration d) {
        return new ZooKeeperRegistryConfig(address, rootPath, d, connectionTimeout, retryBaseSleep, maxRetries, username,
                password);
    }

    public ZooKeeperRegistryConfig withConnectionTimeout(Duration d) {
        return new ZooKeeperRegistryConfig(address, rootPath, sessionTimeout, d, retryBaseSleep, maxRetries, username,
                password);
    }

    public ZooKeeperRegistryConfig withRootPath(String root) {
        return new ZooKeeperRegistryConfig(address, root, sessionTimeout, connectionTimeout, retryBaseSleep, maxRetries,
                username, password);
    }

    /** The same settings with the providers' digest identity. */
    public ZooKeeperRegistryConfig withCredentials(String user, String pass) {
        return new ZooKeeperRegistryConfig(address, rootPath, sessionTimeout, connectionTimeout, retryBaseSleep, maxRetries,
                user, pass);
    }

    @Override
    public String toString() {
        return "ZooKeeperRegistryConfig[" + address + rootPath + (authenticates() ? ", digest user " + username : "") + "]";
    }
}
