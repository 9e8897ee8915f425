package io.rpcboot.autoconfigure;

import java.time.Duration;

import io.rpcboot.autoconfigure.Greetings.Consumer;
import io.rpcboot.autoconfigure.actuate.RpcHealthAutoConfiguration;
import io.rpcboot.core.registry.InMemoryServiceRegistry;
import io.rpcboot.core.registry.RegistryConnectionState;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.registry.zookeeper.ZooKeeperServiceRegistry;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** rpc.registry.type=zookeeper against a real in-process ZooKeeper. */
class RpcZooKeeperRegistryAutoConfigurationTests {

    private static TestingServer zookeeper;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RpcZooKeeperRegistryAutoConfiguration.class,
                    RpcAutoConfiguration.class, RpcClientAutoConfiguration.class, RpcServerAutoConfiguration.class,
                    RpcHealthAutoConfiguration.class))
            .withPropertyValues("rpc.server.port=0", "rpc.server.host=127.0.0.1", "rpc.server.io-threads=1",
                    "rpc.client.io-threads=1");

    @BeforeAll
    static void startZooKeeper() throws Exception {
        zookeeper = new TestingServer(true);
    }

    @AfterAll
    static void stopZooKeeper() throws Exception {
        zookeeper.close();
    }

    @Test
    void theRegistryTypeIsMatchedAsThePropertiesBindIt() {
        for (String spelling : new String[] {"ZooKeeper", "ZOOKEEPER", "zoo-keeper"}) {
            runner.withPropertyValues("rpc.registry.type=" + spelling, "rpc.registry.address=" + zookeeper.getConnectString())
                    .run(context -> assertThat(context).as("rpc.registry.type=%s", spelling).hasNotFailed()
                            .getBean(ServiceRegistry.class).isInstanceOf(ZooKeeperServiceRegistry.class));
        }
    }

    @Test
    void switchingToZooKeeperIsAPropertyChange() {
        runner.withPropertyValues("rpc.registry.type=zookeeper", "rpc.registry.address=" + zookeeper.getConnectString(),
                        "rpc.registry.zookeeper.root-path=/switch-test", "rpc.registry.zookeeper.session-timeout=12s")
                .withUserConfiguration(RpcAutoConfigurationTests.ProviderAndConsumer.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ServiceRegistry registry = context.getBean(ServiceRegistry.class);
                    assertThat(registry).isInstanceOf(ZooKeeperServiceRegistry.class);
                    ZooKeeperServiceRegistry zk = (ZooKeeperServiceRegistry) registry;
                    assertThat(zk.config().rootPath()).isEqualTo("/switch-test");
                    assertThat(zk.config().sessionTimeout()).isEqualTo(Duration.ofSeconds(12));
                    assertThat(registry.connectionState()).isEqualTo(RegistryConnectionState.CONNECTED);
                    await().until(() -> registry.instances(ServiceKey.of(Greetings.Greeter.class)).size() == 1);
                    // the consumer finds the provider through ZooKeeper
                    assertThat(context.getBean(Consumer.class).greeter.greet("Zoe")).isEqualTo("Hello, Zoe!");
                    assertThat(context.getBean("rpcHealthIndicator", HealthIndicator.class).health(true).getDetails())
                            .containsEntry("registry", "zookeeper").containsEntry("registry.connection", "CONNECTED");
                });
    }

    @Test
    void anUnreachableAddressFailsNamingThePropertyAndTheAddress() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String address = "127.0.0.1:" + port;
        runner.withPropertyValues("rpc.registry.type=zookeeper", "rpc.registry.address=" + address,
                "rpc.registry.zookeeper.connection-timeout=1s").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.registry.address with value '" + address + "' is invalid")
                .hasMessageContaining("no ZooKeeper server at " + address + " answered within 1000 ms"));
    }

    @Test
    void badSettingsFailNamingTheProperty() {
        runner.withPropertyValues("rpc.registry.type=zookeeper", "rpc.registry.address=" + zookeeper.getConnectString(),
                "rpc.registry.zookeeper.session-timeout=0s").run(context -> assertThat(context).getFailure().rootCause()
                .hasMessageContaining("Property rpc.registry.zookeeper.session-timeout with value 'PT0S' is invalid")
                .hasMessageContaining("sessionTimeout must be > 0"));
        runner.withPropertyValues("rpc.registry.type=zookeeper").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.registry.address with value '' is invalid")
                .hasMessageContaining("address must name at least one ZooKeeper server"));
    }

    @Test
    void zooKeeperWithoutTheModuleFailsNamingIt() {
        runner.withClassLoader(new FilteredClassLoader(ZooKeeperServiceRegistry.class))
                .withPropertyValues("rpc.registry.type=zookeeper", "rpc.registry.address=127.0.0.1:2181")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("the zookeeper registry needs the rpc-registry-zookeeper module"));
    }

    @Test
    void theMemoryRegistryStaysTheDefault() {
        runner.run(context -> assertThat(context.getBean(ServiceRegistry.class)).isInstanceOf(InMemoryServiceRegistry.class));
    }
}
