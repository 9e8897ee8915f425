package io.rpcboot.benchmark.load;

import java.time.Duration;
import java.util.List;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.OutlierDetection;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcCircuitBreakers;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.server.ExecutionMode;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import io.rpcboot.core.tls.TlsConfig;

/**
 * rpc-boot with the settings a non-blocking echo service would use: provider methods run on the I/O
 * loop ({@code direct}, like gRPC's {@code directExecutor()} below), one client loop and one
 * multiplexed connection (like the floor). With TLS ({@code rpc-boot-tls}): TLS 1.3 with
 * {@link BenchTls#CIPHER} on the JDK's provider, the certificates of {@link BenchTls}. The
 * resilience pair measures what the healthy path pays for it: {@code rpc-boot-resilience-on} has
 * outlier detection (the default) and a circuit breaker on the reference (the default breaker
 * settings), {@code rpc-boot-resilience-off} has neither. {@code rpc-boot-client-defaults} has the
 * client's defaults, {@code rpc-boot-defaults} both sides' (the server's {@code adaptive}
 * execution too): what a user gets without tuning; {@code rpc-boot-pool} the same with the
 * server's methods always on its worker pool (the default before {@code adaptive}).
 * {@code rpc-boot-virtual} and {@code rpc-boot-virtual-pool} are those two with the worker pool on
 * virtual threads (run the benchmark on Java 21 or later for them).
 */
final class RpcBootPeer implements Peer {

    /** Which settings the peer runs with. */
    enum Variant {
        /** The benchmark's settings above; outlier detection as by default, no breaker. */
        DEFAULT,
        /** Outlier detection and a circuit breaker. */
        ON,
        /** Neither. */
        OFF,
        /** The client as {@code ClientConfig}'s defaults have it: a loop per core, two connections per endpoint. */
        CLIENT_DEFAULTS,
        /** Both sides' defaults: the client's, and the server's {@code adaptive} execution instead of {@code direct}. */
        ALL_DEFAULTS,
        /** Both sides' defaults, but the server's methods always on the worker pool. */
        POOL_DEFAULTS,
        /** Both sides' defaults, the server's worker pool on virtual threads (Java 21 or later). */
        VIRTUAL_DEFAULTS,
        /** As {@link #VIRTUAL_DEFAULTS}, the server's methods always on the (virtual) workers. */
        VIRTUAL_POOL
    }

    private final boolean tls;
    private final Variant variant;
    /** With {@link Variant#ALL_DEFAULTS}: the client's I/O loops and connections per endpoint instead of its defaults (0: default). */
    private final int clientLoops;
    private final int clientConnections;

    RpcBootPeer() {
        this(false);
    }

    RpcBootPeer(boolean tls) {
        this(tls, Variant.DEFAULT);
    }

    RpcBootPeer(Variant variant) {
        this(false, variant);
    }

    private RpcBootPeer(boolean tls, Variant variant) {
        this(tls, variant, 0, 0);
    }

    private RpcBootPeer(boolean tls, Variant variant, int clientLoops, int clientConnections) {
        this.tls = tls;
        this.variant = variant;
        this.clientLoops = clientLoops;
        this.clientConnections = clientConnections;
    }

    /**
     * All defaults but the client's loops and connections per endpoint, from a peer name such as
     * {@code rpc-boot-defaults-client-1x2} (one loop, two connections): the sweep behind the
     * client's defaults.
     */
    static RpcBootPeer clientSweep(String name) {
        String[] shape = name.substring("rpc-boot-defaults-client-".length()).split("x");
        return new RpcBootPeer(false, Variant.ALL_DEFAULTS, Integer.parseInt(shape[0]), Integer.parseInt(shape[1]));
    }

    private TlsConfig tlsConfig(boolean server) throws Exception {
        return TlsConfig.builder(server ? BenchTls.serverContext() : BenchTls.clientContext())
                .protocols(List.of(BenchTls.PROTOCOL)).cipherSuites(List.of(BenchTls.CIPHER)).build();
    }

    /** The benchmarked service. */
    public interface EchoService {
        byte[] echo(byte[] payload);
    }

    @Override
    public String name() {
        return switch (variant) {
            case ON -> "rpc-boot-resilience-on";
            case OFF -> "rpc-boot-resilience-off";
            case CLIENT_DEFAULTS -> "rpc-boot-client-defaults";
            case ALL_DEFAULTS -> "rpc-boot-defaults";
            case POOL_DEFAULTS -> "rpc-boot-pool";
            case VIRTUAL_DEFAULTS -> "rpc-boot-virtual";
            case VIRTUAL_POOL -> "rpc-boot-virtual-pool";
            case DEFAULT -> tls ? "rpc-boot-tls" : "rpc-boot";
        };
    }

    @Override
    public Server startServer(int port) throws Exception {
        ServerConfig.Builder config = ServerConfig.builder().host("127.0.0.1").port(port);
        switch (variant) {
            case ALL_DEFAULTS -> { } // ExecutionMode.ADAPTIVE
            case POOL_DEFAULTS -> config.executionMode(ExecutionMode.POOL);
            case VIRTUAL_DEFAULTS -> config.virtualThreads(true);
            case VIRTUAL_POOL -> config.virtualThreads(true).executionMode(ExecutionMode.POOL);
            default -> config.executionMode(ExecutionMode.DIRECT);
        }
        RpcServer server = RpcServer.builder()
                .config(config.tls(tls ? tlsConfig(true) : null).build())
                .service(EchoService.class, payload -> payload).start();
        return new Server() {
            public int port() {
                return server.port();
            }

            public void close() {
                server.stop(Duration.ofSeconds(1));
            }
        };
    }

    @Override
    public Caller connect(int port) throws Exception {
        boolean defaults = variant == Variant.CLIENT_DEFAULTS || variant == Variant.ALL_DEFAULTS
                || variant == Variant.POOL_DEFAULTS || variant == Variant.VIRTUAL_DEFAULTS || variant == Variant.VIRTUAL_POOL;
        ClientConfig.Builder config = defaults ? ClientConfig.builder().timeout(Duration.ofSeconds(30))
                : ClientConfig.builder().ioThreads(1).connectionsPerEndpoint(1).timeout(Duration.ofSeconds(30))
                        .tls(tls ? tlsConfig(false) : null);
        if (variant == Variant.OFF) {
            config.outlierDetection(new OutlierDetection(0, Duration.ofSeconds(30), Duration.ofMinutes(5), 50, 0, 20,
                    Duration.ofSeconds(10), Duration.ZERO));
        }
        if (clientLoops > 0) {
            config.ioThreads(clientLoops).connectionsPerEndpoint(clientConnections);
        }
        RpcClient client = RpcClient.builder().config(config.build()).build();
        ReferenceConfig.Builder<EchoService> reference = ReferenceConfig.builder(EchoService.class)
                .urls(java.util.List.of("127.0.0.1:" + port));
        if (variant == Variant.ON) {
            reference.circuitBreaker(CircuitBreaker.of("echo", RpcCircuitBreakers.config().build()));
        }
        EchoService echo = client.create(reference.build());
        return new Caller() {
            public byte[] call(byte[] payload) {
                return echo.echo(payload);
            }

            public void close() {
                client.close();
            }
        };
    }
}
