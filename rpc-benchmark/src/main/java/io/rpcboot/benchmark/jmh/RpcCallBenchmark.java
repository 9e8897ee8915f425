package io.rpcboot.benchmark.jmh;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.server.ExecutionMode;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One whole call, client and server in this JVM over loopback, so that {@code -prof gc} reports the
 * allocation of the entire call path (client + server) per call; the 64-byte payload's own copies
 * are 2 x 80 bytes of that.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RpcCallBenchmark {

    public interface Echo {
        byte[] echo(byte[] payload);
    }

    private RpcServer server;
    private RpcClient client;
    private Echo echo;
    private final byte[] payload = new byte[64];

    @Setup
    public void setUp() {
        server = RpcServer.builder().config(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
                .executionMode(ExecutionMode.DIRECT).build()).service(Echo.class, p -> p).start();
        client = RpcClient.builder().config(ClientConfig.builder().ioThreads(1).connectionsPerEndpoint(1)
                .timeout(Duration.ofSeconds(10)).build()).build();
        echo = client.create(ReferenceConfig.builder(Echo.class).urls(List.of("127.0.0.1:" + server.port())).build());
    }

    @TearDown
    public void tearDown() {
        client.close();
        server.stop(Duration.ofSeconds(1));
    }

    @Benchmark
    public byte[] call() {
        return echo.echo(payload);
    }
}
