package io.rpcboot.registry.zookeeper;

import java.time.Duration;
import java.util.UUID;

import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.registry.ServiceRegistryContract;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The registry contract against a real, in-process ZooKeeper. */
class ZooKeeperServiceRegistryContractTests extends ServiceRegistryContract {

    private static TestingServer zookeeper;

    @BeforeAll
    static void startZooKeeper() throws Exception {
        zookeeper = new TestingServer(true);
    }

    @AfterAll
    static void stopZooKeeper() throws Exception {
        zookeeper.close();
    }

    @Override
    protected ServiceRegistry newRegistry() {
        return ZooKeeperServiceRegistry.connect(ZooKeeperRegistryConfig.of(zookeeper.getConnectString())
                .withRootPath("/contract-" + UUID.randomUUID()).withSessionTimeout(Duration.ofSeconds(10)),
                RpcMetrics.simple());
    }
}
