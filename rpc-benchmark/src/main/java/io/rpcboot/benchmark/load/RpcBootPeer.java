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
 * settings), {@code rpc-boot-resilience-off} has neither.
 */
final class RpcBootPeer implements Peer {

    /** Which client-side resilience the caller has. */
    enum Resilience {
        /** The client's defaults: outlier detection on, no breaker. */
        DEFAULT,
        /** Outlier detection and a circuit breaker. */
        ON,
        /** Neither. */
        OFF
    }

    private final boolean tls;
    private final Resilience resilience;

    RpcBootPeer() {
        this(false);
    }

    RpcBootPeer(boolean tls) {
        this(tls, Resilience.DEFAULT);
    }

    RpcBootPeer(Resilience resilience) {
        this(false, resilience);
    }

    private RpcBootPeer(boolean tls, Resilience resilience) {
        this.tls = tls;
        this.resilience = resilience;
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
        return switch (resilience) {
            case ON -> "rpc-boot-resilience-on";
            case OFF -> "rpc-boot-resilience-off";
            case DEFAULT -> tls ? "rpc-boot-tls" : "rpc-boot";
        };
    }

    @Override
    public Server startServer(int port) throws Exception {
        RpcServer server = RpcServer.builder()
                .config(ServerConfig.builder().host("127.0.0.1").port(port).executionMode(ExecutionMode.DIRECT)
                        .tls(tls ? tlsConfig(true) : null).build())
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
        ClientConfig.Builder config = ClientConfig.builder().ioThreads(1).connectionsPerEndpoint(1)
                .timeout(Duration.ofSeconds(30)).tls(tls ? tlsConfig(false) : null);
        if (resilience == Resilience.OFF) {
            config.outlierDetection(new OutlierDetection(0, Duration.ofSeconds(30), Duration.ofMinutes(5), 50, 0, 20,
                    Duration.ofSeconds(10), Duration.ZERO));
        }
        RpcClient client = RpcClient.builder().config(config.build()).build();
        ReferenceConfig.Builder<EchoService> reference = ReferenceConfig.builder(EchoService.class)
                .urls(java.util.List.of("127.0.0.1:" + port));
        if (resilience == Resilience.ON) {
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
