package io.rpcboot.registry.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.resources.RpcResources;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.server.RpcServer;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Registry churn through a real, in-process ZooKeeper, with calls in flight on the instances that
 * leave. Each cycle waits for ZooKeeper's watch to reach the client both ways, so the cycle count is
 * bounded ({@value #CYCLES}, a few seconds) where the in-memory churn test runs 10,000.
 */
@Timeout(120)
class ZooKeeperChurnTests {

    private static final int CYCLES = 300;
    private static final ServiceKey GREETER = ServiceKey.of(Greeter.class);
    /** Simulated work inside the provider, so calls are in flight when their instance leaves. */
    private static final long WORK_NANOS = 2_000_000;

    private final String root = "/churn-" + UUID.randomUUID();
    /** One buffer pool and set of loops for every server and the client, closed after them. */
    private final RpcResources shared = RpcResources.builder().clientIoThreads(1).serverIoThreads(2).build();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAllAndCheckNothingLeaked() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(shared.bufferPoolStats().inUse())
                .as("pooled buffers not given back after the test").isZero());
        shared.close();
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    private ZooKeeperServiceRegistry registry(String address) {
        return track(ZooKeeperServiceRegistry.connect(ZooKeeperRegistryConfig.of(address).withRootPath(root)
                .withSessionTimeout(Duration.ofSeconds(4)).withConnectionTimeout(Duration.ofSeconds(5)),
                RpcMetrics.simple()));
    }

    /** A provider that announces nothing itself: the test registers and withdraws it. */
    private RpcServer provider(String name) {
        RpcServer server = RpcServer.builder().bind("127.0.0.1", 0).resources(shared).service(Greeter.class, () -> {
            LockSupport.parkNanos(WORK_NANOS);
            return name;
        }).start();
        resources.add(() -> server.stop(Duration.ofSeconds(2)));
        return server;
    }

    @Test
    void churnWithCallsInFlightOnLeavingInstancesLeavesOneEndpointPerLiveInstanceAndNoHungCall() throws Exception {
        TestingServer zookeeper = track(new TestingServer(true)); // closed last, after everything that uses it
        String address = zookeeper.getConnectString();
        List<RpcServer> servers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            servers.add(provider("p" + i));
        }
        ZooKeeperServiceRegistry churner = registry(address);
        ServiceInstance stable = instanceOf(servers.get(0));
        churner.register(stable);
        Duration timeout = Duration.ofSeconds(5);
        RpcClient client = track(RpcClient.builder().config(ClientConfig.builder().timeout(timeout).build())
                .registry(registry(address)).resources(shared).build());
        Greeter greeter = client.create(Greeter.class);
        await().until(() -> listed(client).contains(stable.address()));

        Set<String> live = new HashSet<>(Set.of(stable.address()));
        try (GreeterLoad load = new GreeterLoad(greeter, 8)) {
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                int n = 1 + cycle % 3;
                ServiceInstance churned = instanceOf(servers.get(n));
                churner.register(churned);
                live.add(churned.address());
                int servedBefore = load.count("p" + n);
                soon().until(() -> listed(client).equals(live) && client.poolStats().size() == live.size());
                soon().until(() -> load.count("p" + n) > servedBefore); // calls are on it now
                churner.unregister(churned);
                live.remove(churned.address());
                int c = cycle;
                soon().untilAsserted(() -> { // the directory publishes the new list, then drops the old endpoints
                    assertThat(listed(client)).isEqualTo(live);
                    assertThat(client.poolStats().keySet()).as("endpoints after cycle %d", c).isEqualTo(live);
                });
            }
            load.close();
            assertThat(load.failures).as("calls through the churn fail only with a typed RpcException")
                    .allSatisfy(f -> assertThat(f).isInstanceOf(RpcException.class));
            assertThat(Duration.ofNanos(load.longestNanos.get())).as("no call waited past its deadline")
                    .isLessThan(timeout.plusSeconds(1));
        }
        assertThat(client.poolStats().keySet()).containsExactly(stable.address());
        await().untilAsserted(() -> assertThat(client.inFlight()).isZero());
        await().untilAsserted(() -> { // the connections to the instances that left closed once idle
            for (int i = 1; i < 4; i++) {
                assertThat(servers.get(i).openConnections()).as("connections to p%d", i).isZero();
            }
        });
    }

    private static Set<String> listed(RpcClient client) {
        return new HashSet<>(client.references().get(0).instances());
    }

    /** Waits polling every millisecond: a cycle's waits are short, and there are thousands of them. */
    private static org.awaitility.core.ConditionFactory soon() {
        return await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1));
    }

    private static ServiceInstance instanceOf(RpcServer server) {
        return new ServiceInstance(GREETER, "127.0.0.1", server.port());
    }
}
