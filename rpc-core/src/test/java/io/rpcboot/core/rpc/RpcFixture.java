package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.rpcboot.core.testing.TestResources;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.InMemoryServiceRegistry;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real servers and clients on 127.0.0.1 with port 0, sharing one in-memory registry and one buffer
 * pool (unless a test brings its own); all closed after each test. After each test it checks that
 * nothing leaked: no call in flight on any client or server, and every pooled buffer given back.
 */
final class RpcFixture implements AfterEachCallback {

    final InMemoryServiceRegistry registry = new InMemoryServiceRegistry();
    final BufferPool pool = BufferPool.createDefault();
    private final List<RpcServer> servers = new ArrayList<>();
    private final List<RpcClient> clients = new ArrayList<>();

    /** Resources on this fixture's pool, to which a test adds loops or a clock of its own. */
    TestResources.Parts parts() {
        return TestResources.parts(pool);
    }

    RpcServer server(Consumer<RpcServer.Builder> setup) {
        return server(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).workerThreads(32), setup);
    }

    RpcServer server(ServerConfig.Builder config, Consumer<RpcServer.Builder> setup) {
        RpcServer.Builder b = RpcServer.builder().config(config.build()).registry(registry).resources(parts().build());
        setup.accept(b);
        RpcServer server = b.build();
        servers.add(server);
        return server.start();
    }

    RpcServer server(RpcMetrics metrics, Consumer<RpcServer.Builder> setup) {
        return server(b -> {
            b.metrics(metrics);
            setup.accept(b);
        });
    }

    RpcClient client() {
        return client(ClientConfig.builder().ioThreads(2));
    }

    RpcClient client(ClientConfig.Builder config) {
        return client(config, (RpcMetrics) null);
    }

    RpcClient client(ClientConfig.Builder config, RpcMetrics metrics) {
        return client(config, b -> {
            if (metrics != null) {
                b.metrics(metrics);
            }
        });
    }

    RpcClient client(ClientConfig.Builder config, Consumer<RpcClient.Builder> setup) {
        RpcClient.Builder b = RpcClient.builder().config(config.build()).registry(registry).resources(parts().build());
        setup.accept(b);
        RpcClient client = b.build();
        clients.add(client);
        return client;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            // calls end on their own (answered, timed out, failed): none may stay in flight for ever
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (RpcClient c : clients) {
                    assertThat(c.inFlight()).as("calls in flight on a client after the test").isZero();
                }
                for (RpcServer s : servers) {
                    assertThat(s.inFlight()).as("calls in flight on a server after the test").isZero();
                }
            });
        } finally {
            clients.forEach(RpcClient::close);
            for (RpcServer s : servers) {
                s.stop(Duration.ofSeconds(5));
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(pool.inUse()).as("pooled buffers not given back after the test").isZero());
    }
}
