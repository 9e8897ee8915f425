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

    /**
     * Metadata keys an instance that takes one-way calls as UDP datagrams announces: the UDP port, and
     * the largest datagram it takes. A client sends a one-way call by UDP only to an instance that
     * announced both, and only if the call's frame fits.
     */
    public static final String UDP = "udp";
    public static final String UDP_MAX_DATAGRAM = "udp.max-datagram";

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

    /** The UDP port of one-way calls this instance announced, or 0 when it takes none (or announced nonsense). */
    public int udpPort() {
        return announcedInt(UDP, 1, 65535);
    }

    /** The largest datagram this instance takes, or 0 when it takes none. */
    public int udpMaxDatagram() {
        return announcedInt(UDP_MAX_DATAGRAM, 512, 65_507);
    }

    private int announcedInt(String key, int min, int max) {
        String value = metadata.get(key);
        if (value == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(value.trim());
            return n >= min && n <= max ? n : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
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
