package io.rpcboot.benchmark.load;

import java.time.Duration;
import java.util.List;

import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.server.ExecutionMode;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import io.rpcboot.core.tls.TlsConfig;

/**
 * rpc-boot with the settings a non-blocking echo service would use: provider methods run on the I/O
 * loop ({@code direct}, like gRPC's {@code directExecutor()} below), one client loop and one
 * multiplexed connection (like the floor). With TLS ({@code rpc-boot-tls}): TLS 1.3 with
 * {@link BenchTls#CIPHER} on the JDK's provider, the certificates of {@link BenchTls}.
 */
final class RpcBootPeer implements Peer {

    private final boolean tls;

    RpcBootPeer() {
        this(false);
    }

    RpcBootPeer(boolean tls) {
        this.tls = tls;
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
        return tls ? "rpc-boot-tls" : "rpc-boot";
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
        RpcClient client = RpcClient.builder().config(ClientConfig.builder().ioThreads(1).connectionsPerEndpoint(1)
                .timeout(Duration.ofSeconds(30)).tls(tls ? tlsConfig(false) : null).build()).build();
        EchoService echo = client.create(ReferenceConfig.builder(EchoService.class)
                .urls(java.util.List.of("127.0.0.1:" + port)).build());
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
