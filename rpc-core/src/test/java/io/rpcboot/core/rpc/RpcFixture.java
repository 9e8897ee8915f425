package io.rpcboot.core.rpc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.InMemoryServiceRegistry;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real servers and clients on 127.0.0.1 with port 0, sharing one in-memory registry; all closed
 * after each test.
 */
final class RpcFixture implements AfterEachCallback {

    final InMemoryServiceRegistry registry = new InMemoryServiceRegistry();
    private final List<RpcServer> servers = new ArrayList<>();
    private final List<RpcClient> clients = new ArrayList<>();

    RpcServer server(Consumer<RpcServer.Builder> setup) {
        return server(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).workerThreads(32), setup);
    }

    RpcServer server(ServerConfig.Builder config, Consumer<RpcServer.Builder> setup) {
        RpcServer.Builder b = RpcServer.builder().config(config.build()).registry(registry);
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
        return client(config, null);
    }

    RpcClient client(ClientConfig.Builder config, RpcMetrics metrics) {
        RpcClient.Builder b = RpcClient.builder().config(config.build()).registry(registry);
        if (metrics != null) {
            b.metrics(metrics);
        }
        RpcClient client = b.build();
        clients.add(client);
        return client;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        clients.forEach(RpcClient::close);
        for (RpcServer s : servers) {
            s.stop(java.time.Duration.ofSeconds(5));
        }
    }
}
