package io.rpcboot.core.registry;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.rpcboot.core.internal.inprocess.InProcess;
import java.util.Map;
import java.util.Objects;

/**
 * One provider of one service at one address. Immutable; equal when key, host and port are equal
 * (weight and metadata describe the instance, they do not identify it).
 *
 * @param weight   relative share of traffic for weighted balancers, 1..10000 (default 100)
 * @param metadata free-form facts (e.g. start time, zone), for registries and operators
 */
public record ServiceInstance(ServiceKey key, String host, int port, int weight, Map<String, String> metadata) {

    public static final int DEFAULT_WEIGHT = 100;
    /**
     * Metadata key an instance announces its transport security under: {@value #TLS_REQUIRED} means
     * it accepts only TLS, and a client without TLS refuses to send it a call (rather than send one
     * in plaintext that the server would drop).
     */
    public static final String TLS = "tls";
    public static final String TLS_REQUIRED = "required";

    public ServiceInstance {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(host, "host");
        metadata = Map.copyOf(metadata);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
        if (weight < 1 || weight > 10_000) {
            throw new IllegalArgumentException("weight must be 1..10000, was " + weight);
        }
    }

    /** Whether the instance announced that it accepts only TLS. */
    public boolean requiresTls() {
        return TLS_REQUIRED.equals(metadata.get(TLS));
    }

    public ServiceInstance(ServiceKey key, String host, int port) {
        this(key, host, port, DEFAULT_WEIGHT, Map.of());
    }

    /**
     * Parses {@code host:port} (IPv6 as {@code [::1]:7070}).
     *
     * @throws IllegalArgumentException naming the text if it is not host:port
     */
    public static ServiceInstance parse(ServiceKey key, String address) {
        String text = address.strip();
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + address + "' is not host:port");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new ServiceInstance(key, host, Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + address + "' is not host:port: the port is not a number");
        }
    }

    /** {@code host:port}: the endpoint's identity for connections and statistics. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** Where to connect: {@code host:port}, or for an in-process server ({@code in-process:<id>}) its socket in this JVM. */
    public SocketAddress socketAddress() {
        return InProcess.isInProcess(host) ? InProcess.address(port) : new InetSocketAddress(host, port);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceInstance s && s.port == port && s.host.equals(host) && s.key.equals(key);
    }

    @Override
    public int hashCode() {
        return (key.hashCode() * 31 + host.hashCode()) * 31 + port;
    }

    @Override
    public String toString() {
        return key + "@" + address() + (weight != DEFAULT_WEIGHT ? "(w=" + weight + ")" : "");
    }
}
