package io.rpcboot.registry.zookeeper;

import java.time.Duration;
import java.util.Map;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * With the providers' digest identity configured, only that identity can register, change or delete a
 * registration; anyone can read. Tested against an in-process ZooKeeper with a raw, unauthenticated
 * Curator client as the attacker.
 */
@Timeout(60)
class ZooKeeperAclTests {

    private static final ServiceKey KEY = new ServiceKey(Greeter.class.getName(), "", "");
    private static final ServiceInstance INSTANCE = new ServiceInstance(KEY, "127.0.0.1", 7070, 100,
            Map.of(ServiceInstance.TLS, ServiceInstance.TLS_REQUIRED));

    private TestingServer zk;
    private ZooKeeperServiceRegistry provider;
    private CuratorFramework attacker;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        provider = ZooKeeperServiceRegistry.connect(config().withCredentials("providers", "s3cret"), RpcMetrics.simple());
        attacker = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        attacker.start();
        attacker.blockUntilConnected();
    }

    private ZooKeeperRegistryConfig config() {
        return ZooKeeperRegistryConfig.of(zk.getConnectString()).withConnectionTimeout(Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() throws Exception {
        attacker.close();
        provider.close();
        zk.close();
    }

    @Test
    void anUnauthenticatedClientCanReadButNotRegisterChangeOrDelete() throws Exception {
        provider.register(INSTANCE);
        String providers = provider.providersPath(KEY);
        String registration = providers + "/" + attacker.getChildren().forPath(providers).get(0);

        assertThatExceptionOfType(KeeperException.NoAuthException.class).as("a rogue registration")
                .isThrownBy(() -> attacker.create().withMode(CreateMode.EPHEMERAL).forPath(providers + "/10.6.6.6%3A7070"));
        assertThatExceptionOfType(KeeperException.NoAuthException.class).as("a rogue service under the root")
                .isThrownBy(() -> attacker.create().forPath(config().rootPath() + "/evil"));
        assertThatExceptionOfType(KeeperException.NoAuthException.class).as("deleting a real registration")
                .isThrownBy(() -> attacker.delete().forPath(registration));
        assertThatExceptionOfType(KeeperException.NoAuthException.class).as("rewriting a real registration")
                .isThrownBy(() -> attacker.setData().forPath(registration, "weight=10000\n".getBytes()));
        assertThat(attacker.getACL().forPath(config().rootPath()))
                .anySatisfy(acl -> assertThat(acl.getId()).isEqualTo(ZooDefs.Ids.ANYONE_ID_UNSAFE))
                .allSatisfy(acl -> assertThat(acl.getId().equals(ZooDefs.Ids.ANYONE_ID_UNSAFE)
                        ? acl.getPerms() == ZooDefs.Perms.READ : acl.getId().getScheme().equals("digest")).isTrue());

        try (ZooKeeperServiceRegistry consumer = ZooKeeperServiceRegistry.connect(config(), RpcMetrics.simple())) {
            assertThat(consumer.instances(KEY)).containsExactly(INSTANCE);
        }
    }

    @Test
    void aProviderWithoutTheCredentialsFailsToRegisterSayingWhy() {
        provider.register(INSTANCE); // the root now carries the ACL
        try (ZooKeeperServiceRegistry anonymous = ZooKeeperServiceRegistry.connect(config(), RpcMetrics.simple())) {
            ServiceInstance other = new ServiceInstance(KEY, "127.0.0.1", 7071);
            assertThatExceptionOfType(RpcException.class).isThrownBy(() -> anonymous.register(other))
                    .withMessageContaining("refuses an unauthenticated client the right to register under /rpc-boot");
        }
    }

    @Test
    void aWrongPasswordFailsAtConnect() {
        provider.register(INSTANCE);
        assertThatExceptionOfType(RpcException.class).isThrownBy(() -> ZooKeeperServiceRegistry.connect(
                        config().withCredentials("providers", "guess"), RpcMetrics.simple()))
                .withMessageContaining("refuses digest user 'providers'");
    }

    @Test
    void credentialsComeInPairs() {
        assertThatExceptionOfType(IllegalArgumentException.class)
                .isThrownBy(() -> config().withCredentials("providers", ""))
                .withMessageStartingWith("username and password go together");
    }
}
