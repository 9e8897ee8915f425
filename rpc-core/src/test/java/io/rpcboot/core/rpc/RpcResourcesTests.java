package io.rpcboot.core.rpc;

import io.rpcboot.core.BufferPoolStats;
import io.rpcboot.core.resources.RpcResources;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.internal.resources.ResourceParts;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

@Timeout(60)
class RpcResourcesTests {

    @Test
    void aClientAndAServerShareOnePoolAndOutliveBoth() {
        try (RpcResources resources = RpcResources.builder().clientIoThreads(1).serverIoThreads(1)
                .maxPooledBytes(1 << 20).build()) {
            ResourceParts shared = ResourceParts.of(resources);
            try (RpcServer server = RpcServer.builder().config(ServerConfig.builder().host("127.0.0.1").port(0).build())
                    .resources(resources).service(Echo.class, new NamedEcho("shared", 0)).start();
                 RpcClient client = RpcClient.builder().resources(resources)
                         .staticInstances(Echo.class, "127.0.0.1:" + server.port()).build()) {
                assertThat(client.create(Echo.class).echo(new byte[4096])).hasSize(4096);
                BufferPoolStats stats = resources.bufferPoolStats();
                assertThat(stats.hits() + stats.misses()).as("both sides draw from the one pool").isPositive();
                assertThat(stats.maxPooledBytes()).isEqualTo(1 << 20);
            }
            // closing the client and the server left the shared loops running and the pool whole
            assertThat(shared.clientLoops().next().isShuttingDown()).isFalse();
            assertThat(shared.serverWorkers().next().isShuttingDown()).isFalse();
            await().until(() -> resources.bufferPoolStats().inUse() == 0);
        }
    }

    @Test
    void aClientAloneStartsNoServerLoops() {
        try (RpcResources resources = RpcResources.builder().clientIoThreads(1).build();
             RpcClient client = RpcClient.builder().resources(resources).staticInstances(Echo.class, "127.0.0.1:1")
                     .build()) {
            assertThat(client.config()).isNotNull();
            assertThat(ResourceParts.of(resources).serverLoopsStarted()).isFalse();
        }
    }

    @Test
    void closeIsIdempotentAndLaterUseFailsClearly() {
        RpcResources resources = RpcResources.builder().clientIoThreads(1).build();
        ResourceParts shared = ResourceParts.of(resources);
        shared.clientLoops();
        resources.close();
        resources.close();
        assertThatIllegalStateException().isThrownBy(shared::clientLoops).withMessage("these RpcResources are closed");
    }

    @Test
    void theBuilderNamesTheSettingItRefuses() {
        assertThatIllegalArgumentException().isThrownBy(() -> RpcResources.builder().maxBufferSize(1000).build())
                .withMessage("maxBufferSize must be a power of two in [256, 1073741824], was 1000");
        assertThatIllegalArgumentException().isThrownBy(() -> RpcResources.builder().maxPooledBytes(-1).build())
                .withMessage("maxPooledBytes must be >= 0, was -1");
        assertThatIllegalArgumentException().isThrownBy(() -> RpcResources.builder().clientIoThreads(0).build())
                .withMessage("clientIoThreads must be 1..1024, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> RpcResources.builder().serverIoThreads(1025).build())
                .withMessage("serverIoThreads must be 1..1024, was 1025");
    }

    @Test
    void onlyTheBuildersResourcesAreAccepted() {
        RpcResources foreign = new RpcResources() {
            @Override
            public BufferPoolStats bufferPoolStats() {
                return new BufferPoolStats(0, 0, 0, 0, 0, false, 0, 0, 0);
            }

            @Override
            public int clientIoThreads() {
                return 1;
            }

            @Override
            public int serverIoThreads() {
                return 1;
            }

            @Override
            public void close() {
            }
        };
        assertThatIllegalArgumentException().isThrownBy(() -> RpcClient.builder().resources(foreign).build())
                .withMessageStartingWith("resources must be made by RpcResources.builder()");
    }
}
