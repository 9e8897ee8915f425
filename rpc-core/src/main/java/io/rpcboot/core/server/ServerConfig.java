package io.rpcboot.core.server;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import org.slf4j.event.Level;

import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.tls.TlsConfig;
import io.rpcboot.core.internal.threads.VirtualThreads;
import org.jspecify.annotations.Nullable;

/**
 * Immutable, validated server settings.
 *
 * @param host                 address to bind ({@code 0.0.0.0} for all interfaces)
 * @param port                 port to bind; 0 picks a free one
 * @param advertisedHost       host announced to the registry (what consumers connect to)
 * @param ioThreads            worker event loops
 * @param workerThreads        threads of the business executor (methods on the pool: {@link ExecutionMode#POOL}, and
 *                             {@link ExecutionMode#ADAPTIVE} until they move), started as needed
 * @param queueCapacity        requests that may wait for a worker thread before "overloaded"
 * @param executionMode        where provider methods run, unless {@code executions} says otherwise for one
 * @param maxFrameSize         largest frame accepted or sent, bytes
 * @param idleTimeout          a connection silent for this long is closed (clients send heartbeats)
 * @param drainTimeout         how long a graceful stop waits for calls in flight
 * @param checksum             whether responses carry a CRC32C
 * @param compressionThreshold response bodies of at least this many bytes are compressed; 0 never
 * @param peerLimits           what one client may make the server hold on its connection (header block,
 *                             attachments, inflation, frame time, heartbeats, water marks, pending bytes)
 * @param maxConnections       client connections open at once; more are closed as they are accepted
 * @param maxConnectionsPerAddress client connections one address may keep open at once
 * @param maxAcceptsPerSecond  new connections accepted per second (bursts of one second's worth)
 * @param maxConnectionAge     a connection this old is told the server is draining (the client closes it
 *                             once its calls are done), and closed a drain timeout later whatever it is
 *                             doing; {@link Duration#ZERO}: no limit
 * @param maxConcurrentCallsPerConnection calls one connection may have in flight; more are answered
 *                             {@code RESOURCE_EXHAUSTED} without running
 * @param errorLogLevel        the level at which an exception a provider method did not declare is
 *                             logged, with its stack trace (at most one per method every 10 seconds,
 *                             with a count of those held back); declared exceptions are logged at DEBUG
 * @param tls                  TLS settings; when given the server accepts TLS only, and announces so
 * @param transport            how clients reach the server: TCP on {@code host:port}, or
 *                             {@link Transport#IN_PROCESS} (this JVM only, no port: for tests)
 * @param rateLimits           calls a second allowed, by service interface name (every method of it together)
 *                             or by {@code interface#methodKey} (one method, its {@link io.rpcboot.core.RpcMethod#key()
 *                             key}); past one, a call is answered OVERLOADED without running (clients send it
 *                             elsewhere, within their retry budget)
 * @param concurrencyLimit     an adaptive limit on each method's calls running at once (null: none); past it a
 *                             call is answered OVERLOADED at once, so that admitted calls keep their latency
 * @param executions           where the methods of one service (by interface name) or one method (by
 *                             {@code interface#methodKey}) run, overriding {@code executionMode}
 * @param sendStackTraces      whether a provider exception sent as itself (declared or allow-listed) carries its
 *                             stack frames to the caller; off by default, since frames describe the provider's code
 * @param httpEnabled          whether the port also answers HTTP/1.1 (JSON calls at {@code POST /{service}/{method}},
 *                             the list of services at {@code GET /}); the first bytes of a connection choose. The
 *                             same TLS, authentication, limits and interceptors apply. Needs Jackson 3 (the
 *                             {@code json} serialization); without it the port speaks rpc-boot frames only
 * @param maxHttpHeaderSize    bytes an HTTP request's line and header fields may take together; more is answered 431
 * @param maxHttpHeaderFields  header fields an HTTP request may have (and, separately, trailer fields a chunked body);
 *                             more is answered 431
 * @param maxHttpPipelinedSize bytes of pipelined HTTP requests the server holds, already read, while it serves the one
 *                             before them; more is answered 431
 * @param udpEnabled           whether one-way calls are also taken as UDP datagrams on the port's number; off by
 *                             default, and refused with TLS or authentication (datagrams have neither)
 * @param maxDatagramSize      bytes of the largest datagram taken; larger ones are dropped and counted. Announced to
 *                             clients, which send no one-way call larger than it by UDP
 * @param virtualThreads       whether the methods that run on the worker pool run on virtual threads instead (Java 21
 *                             or later): one per call, at most {@code workerThreads} running and {@code queueCapacity}
 *                             waiting; past that a call is answered OVERLOADED, as by a full pool
 */
public record ServerConfig(String host, int port, String advertisedHost, int ioThreads, int workerThreads,
                           int queueCapacity, ExecutionMode executionMode, int maxFrameSize, Duration idleTimeout,
                           Duration drainTimeout, boolean checksum, int compressionThreshold, PeerLimits peerLimits,
                           int maxConnections, int maxConnectionsPerAddress, int maxAcceptsPerSecond,
                           Duration maxConnectionAge, int maxConcurrentCallsPerConnection, Level errorLogLevel,
                           @Nullable TlsConfig tls, boolean sendStackTraces, Transport transport,
                           Map<String, Double> rateLimits, @Nullable ConcurrencyLimit concurrencyLimit,
                           Map<String, ExecutionMode> executions, boolean httpEnabled, int maxHttpHeaderSize,
                           int maxHttpHeaderFields, int maxHttpPipelinedSize, boolean udpEnabled,
                           int maxDatagramSize, boolean virtualThreads) {

    /** How clients reach a server. */
    public enum Transport {
        /** TCP on {@code host:port}: the network. */
        TCP,
        /**
         * This JVM only: a Unix-domain socket in a temporary directory, announced as
         * {@code in-process:<id>}; no TCP port is opened. The frames, codec, limits, back-pressure and
         * interceptors are those of TCP. For tests.
         */
        IN_PROCESS
    }

    public static final int DEFAULT_PORT = 7070;
    /** An HTTP request's line and header fields: 8 KiB, as most HTTP servers allow. */
    public static final int DEFAULT_MAX_HTTP_HEADER_SIZE = 8 * 1024;
    /** An HTTP request's header fields: 100, as Tomcat and Jetty allow. */
    public static final int DEFAULT_MAX_HTTP_HEADER_FIELDS = 100;
    /** Pipelined HTTP requests held while one is served: 1 MiB. */
    public static final int DEFAULT_MAX_HTTP_PIPELINED_SIZE = 1024 * 1024;
    /** A one-way call's datagram: 8 KiB (IPv4 fragments it on a network; loopback and jumbo frames do not). */
    public static final int DEFAULT_MAX_DATAGRAM_SIZE = 8 * 1024;
    /** The most a UDP datagram over IPv4 can carry. */
    public static final int MAX_UDP_PAYLOAD = 65_507;

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        Objects.requireNonNull(executionMode, "executionMode");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(peerLimits, "peerLimits");
        Objects.requireNonNull(maxConnectionAge, "maxConnectionAge");
        Objects.requireNonNull(errorLogLevel, "errorLogLevel");
        Objects.requireNonNull(transport, "transport");
        rateLimits = Map.copyOf(rateLimits);
        executions = Map.copyOf(executions);
        rateLimits.forEach((k, v) -> require(v > 0 && !v.isInfinite(), "rateLimits must be > 0 calls a second, was "
                + v + " for " + k));
        require(port >= 0 && port <= 65535, "port must be 0..65535, was " + port);
        require(ioThreads >= 1 && ioThreads <= 1024, "ioThreads must be 1..1024, was " + ioThreads);
        require(workerThreads >= 1 && workerThreads <= 100_000, "workerThreads must be 1..100000, was " + workerThreads);
        require(queueCapacity >= 0, "queueCapacity must be >= 0, was " + queueCapacity);
        require(maxFrameSize >= 1024, "maxFrameSize must be >= 1024 bytes, was " + maxFrameSize);
        require(!idleTimeout.isNegative(), "idleTimeout must be >= 0, was " + idleTimeout);
        require(!drainTimeout.isNegative(), "drainTimeout must be >= 0, was " + drainTimeout);
        require(compressionThreshold >= 0, "compressionThreshold must be >= 0, was " + compressionThreshold);
        require(maxConnections >= 1, "maxConnections must be >= 1, was " + maxConnections);
        require(maxConnectionsPerAddress >= 1, "maxConnectionsPerAddress must be >= 1, was " + maxConnectionsPerAddress);
        require(maxAcceptsPerSecond >= 1, "maxAcceptsPerSecond must be >= 1, was " + maxAcceptsPerSecond);
        require(!maxConnectionAge.isNegative(), "maxConnectionAge must be >= 0 (0 = no limit), was " + maxConnectionAge);
        require(maxHttpHeaderSize >= 1024 && maxHttpHeaderSize <= 1024 * 1024,
                "maxHttpHeaderSize must be 1024..1048576 bytes, was " + maxHttpHeaderSize);
        require(maxHttpHeaderFields >= 1 && maxHttpHeaderFields <= 10_000,
                "maxHttpHeaderFields must be 1..10000, was " + maxHttpHeaderFields);
        require(maxHttpPipelinedSize >= 1024 && maxHttpPipelinedSize <= 64 * 1024 * 1024,
                "maxHttpPipelinedSize must be 1024..67108864 bytes, was " + maxHttpPipelinedSize);
        require(maxDatagramSize >= 512 && maxDatagramSize <= MAX_UDP_PAYLOAD,
                "maxDatagramSize must be 512.." + MAX_UDP_PAYLOAD + " bytes, was " + maxDatagramSize);
        require(!udpEnabled || tls == null, "udpEnabled cannot be on while the server requires TLS: datagrams would"
                + " carry calls in the clear (there is no DTLS); was true");
        require(!udpEnabled || transport == Transport.TCP, "udpEnabled needs the TCP transport; was true");
        require(!virtualThreads || VirtualThreads.SUPPORTED, "virtualThreads needs Java 21 or later, this is Java "
                + Runtime.version().feature() + "; was true");
        require(maxConcurrentCallsPerConnection >= 1, "maxConcurrentCallsPerConnection must be >= 1, was "
                + maxConcurrentCallsPerConnection);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Defaults: 0.0.0.0:7070, one I/O loop per core, {@link ExecutionMode#ADAPTIVE} execution, 200 workers,
     * queue 1000, 16 MiB frames, idle 60 s,
     * drain 10 s, {@link PeerLimits#DEFAULTS}, 2048 connections (256 per address, 1000 new per second),
     * no connection age limit, 1000 calls in flight per connection.
     */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = DEFAULT_PORT;
        private String advertisedHost = "";
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private int workerThreads = 200;
        private int queueCapacity = 1000;
        private ExecutionMode executionMode = ExecutionMode.ADAPTIVE;
        private final Map<String, ExecutionMode> executions = new java.util.LinkedHashMap<>();
        private int maxFrameSize = FrameCodec.DEFAULT_MAX_FRAME_SIZE;
        private boolean sendStackTraces;
        private boolean httpEnabled = true;
        private int maxHttpHeaderSize = DEFAULT_MAX_HTTP_HEADER_SIZE;
        private int maxHttpHeaderFields = DEFAULT_MAX_HTTP_HEADER_FIELDS;
        private int maxHttpPipelinedSize = DEFAULT_MAX_HTTP_PIPELINED_SIZE;
        private boolean udpEnabled;
        private int maxDatagramSize = DEFAULT_MAX_DATAGRAM_SIZE;
        private boolean virtualThreads;
        private Transport transport = Transport.TCP;
        private final Map<String, Double> rateLimits = new java.util.LinkedHashMap<>();
        private @Nullable ConcurrencyLimit concurrencyLimit;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private boolean checksum;
        private int compressionThreshold;
        private PeerLimits peerLimits = PeerLimits.DEFAULTS;
        private int maxConnections = 2048;
        private int maxConnectionsPerAddress = 256;
        private int maxAcceptsPerSecond = 1000;
        private Duration maxConnectionAge = Duration.ZERO;
        private int maxConcurrentCallsPerConnection = 1000;
        private Level errorLogLevel = Level.WARN;
        private @Nullable TlsConfig tls;

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        /** Host announced to the registry; by default the bind host, or 127.0.0.1 when binding 0.0.0.0. */
        public Builder advertisedHost(String v) {
            advertisedHost = v;
            return this;
        }

        public Builder ioThreads(int v) {
            ioThreads = v;
            return this;
        }

        public Builder workerThreads(int v) {
            workerThreads = v;
            return this;
        }

        /**
         * Runs the worker pool's calls on virtual threads (Java 21 or later), with the same bounds: at most
         * {@link #workerThreads} running and {@link #queueCapacity} waiting; past that a call is answered OVERLOADED.
         */
        public Builder virtualThreads(boolean v) {
            virtualThreads = v;
            return this;
        }

        public Builder queueCapacity(int v) {
            queueCapacity = v;
            return this;
        }

        public Builder executionMode(ExecutionMode v) {
            executionMode = v;
            return this;
        }

        public Builder maxFrameSize(int v) {
            maxFrameSize = v;
            return this;
        }

        public Builder idleTimeout(Duration v) {
            idleTimeout = v;
            return this;
        }

        public Builder drainTimeout(Duration v) {
            drainTimeout = v;
            return this;
        }

        public Builder checksum(boolean v) {
            checksum = v;
            return this;
        }

        public Builder compressionThreshold(int v) {
            compressionThreshold = v;
            return this;
        }

        public Builder peerLimits(PeerLimits v) {
            peerLimits = v;
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder maxConnectionsPerAddress(int v) {
            maxConnectionsPerAddress = v;
            return this;
        }

        public Builder maxAcceptsPerSecond(int v) {
            maxAcceptsPerSecond = v;
            return this;
        }

        public Builder maxConnectionAge(Duration v) {
            maxConnectionAge = v;
            return this;
        }

        public Builder maxConcurrentCallsPerConnection(int v) {
            maxConcurrentCallsPerConnection = v;
            return this;
        }

        public Builder errorLogLevel(Level v) {
            errorLogLevel = v;
            return this;
        }

        /** At most {@code perSecond} calls a second to every method of {@code service} together. */
        public Builder rateLimit(Class<?> service, double perSecond) {
            rateLimits.put(service.getName(), perSecond);
            return this;
        }

        /** At most {@code perSecond} calls a second to one method of {@code service}, by its key (e.g. {@code find}). */
        public Builder rateLimit(Class<?> service, String methodKey, double perSecond) {
            rateLimits.put(service.getName() + "#" + methodKey, perSecond);
            return this;
        }

        /** Rate limits by interface name or {@code interface#methodKey}, as the record holds them. */
        public Builder rateLimits(Map<String, Double> v) {
            rateLimits.putAll(v);
            return this;
        }

        /** Where the methods of {@code service} run, overriding {@link #executionMode}. */
        public Builder execution(Class<?> service, ExecutionMode mode) {
            executions.put(service.getName(), Objects.requireNonNull(mode, "mode"));
            return this;
        }

        /** Where one method of {@code service}, by its key (e.g. {@code find}), runs. */
        public Builder execution(Class<?> service, String methodKey, ExecutionMode mode) {
            executions.put(service.getName() + "#" + methodKey, Objects.requireNonNull(mode, "mode"));
            return this;
        }

        /** Execution modes by interface name or {@code interface#methodKey}, as the record holds them. */
        public Builder executions(Map<String, ExecutionMode> v) {
            executions.putAll(v);
            return this;
        }

        /** Limits each method's calls running at once, adaptively (null, the default: no limit). */
        public Builder concurrencyLimit(@Nullable ConcurrencyLimit v) {
            concurrencyLimit = v;
            return this;
        }

        /** How clients reach the server (default TCP). */
        public Builder transport(Transport v) {
            transport = v;
            return this;
        }

        /** Sends the stack frames of provider exceptions sent as themselves (off by default). */
        /** Whether the port also answers HTTP/JSON; on by default. */
        public Builder httpEnabled(boolean v) {
            httpEnabled = v;
            return this;
        }

        /** Whether one-way calls are also taken as UDP datagrams; off by default. */
        public Builder udpEnabled(boolean v) {
            udpEnabled = v;
            return this;
        }

        public Builder maxDatagramSize(int bytes) {
            maxDatagramSize = bytes;
            return this;
        }

        public Builder maxHttpHeaderSize(int bytes) {
            maxHttpHeaderSize = bytes;
            return this;
        }

        public Builder maxHttpHeaderFields(int fields) {
            maxHttpHeaderFields = fields;
            return this;
        }

        public Builder maxHttpPipelinedSize(int bytes) {
            maxHttpPipelinedSize = bytes;
            return this;
        }

        public Builder sendStackTraces(boolean v) {
            sendStackTraces = v;
            return this;
        }

        /** Serves TLS only (null: plaintext). */
        public Builder tls(@Nullable TlsConfig v) {
            tls = v;
            return this;
        }

        public ServerConfig build() {
            String advertised = !advertisedHost.isEmpty() ? advertisedHost
                    : host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
            return new ServerConfig(host, port, advertised, ioThreads, workerThreads, queueCapacity, executionMode,
                    maxFrameSize, idleTimeout, drainTimeout, checksum, compressionThreshold, peerLimits, maxConnections,
                    maxConnectionsPerAddress, maxAcceptsPerSecond, maxConnectionAge, maxConcurrentCallsPerConnection,
                    errorLogLevel, tls, sendStackTraces, transport, rateLimits, concurrencyLimit, executions, httpEnabled,
                    maxHttpHeaderSize, maxHttpHeaderFields, maxHttpPipelinedSize, udpEnabled, maxDatagramSize,
                    virtualThreads);
        }
    }
}
