package io.rpcboot.registry.zookeeper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.OutlierDetection;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.server.RpcServer;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** Providers and a consumer discovering each other through a real, in-process ZooKeeper. */
@Timeout(180)
class ZooKeeperDiscoveryTests {

    private static final ServiceKey GREETER = ServiceKey.of(Greeter.class);

    private final String root = "/it-" + UUID.randomUUID();
    private final List<AutoCloseable> resources = new ArrayList<>();
    /** The ports the forked providers listen on, by name. */
    private final Map<String, Integer> forkedPorts = new ConcurrentHashMap<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    /** Short sessions, so that a killed process's registrations go quickly. */
    private static final Duration SHORT_SESSION = Duration.ofSeconds(4);
    /**
     * Sessions for tests that are not about expiry: under a loaded machine (four callers in tight
     * loops, in the same JVM as the providers and ZooKeeper) a 4 s session can expire for want of CPU,
     * and every provider's registration goes with it for a moment.
     */
    private static final Duration LONG_SESSION = Duration.ofSeconds(20);

    private ZooKeeperServiceRegistry registry(String address) {
        return registry(address, SHORT_SESSION);
    }

    private ZooKeeperServiceRegistry registry(String address, Duration session) {
        return track(ZooKeeperServiceRegistry.connect(ZooKeeperRegistryConfig.of(address).withRootPath(root)
                .withSessionTimeout(session).withConnectionTimeout(Duration.ofSeconds(5)), RpcMetrics.simple()));
    }

    /** A provider with its own ZooKeeper session, as a separate process would have. */
    private RpcServer provider(String address, String name) {
        return provider(address, name, SHORT_SESSION);
    }

    private RpcServer provider(String address, String name, Duration session) {
        RpcServer server = RpcServer.builder().bind("127.0.0.1", 0).registry(registry(address, session))
                .service(Greeter.class, () -> name).start();
        resources.add(() -> server.stop(Duration.ofSeconds(2)));
        return server;
    }

    private Greeter consumer(String address) {
        return consumerClient(address, SHORT_SESSION).create(Greeter.class);
    }

    private RpcClient consumerClient(String address, Duration session) {
        return track(RpcClient.builder().config(ClientConfig.builder().ioThreads(1).build())
                .registry(registry(address, session)).build());
    }

    @Test
    void twoProvidersAreSharedAndOneLeavingGracefullyFailsNoCall() throws Exception {
        TestingServer zookeeper = track(new TestingServer(true)); // closed last, after everything that uses it
        {
            RpcServer a = provider(zookeeper.getConnectString(), "a", LONG_SESSION);
            provider(zookeeper.getConnectString(), "b", LONG_SESSION);
            RpcClient client = consumerClient(zookeeper.getConnectString(), LONG_SESSION);
            Greeter greeter = client.create(Greeter.class);
            // every list the registry delivers, with when it came: a failure below says what the consumer saw
            ZooKeeperServiceRegistry observer = registry(zookeeper.getConnectString(), LONG_SESSION);
            long t0 = System.nanoTime();
            List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            observer.subscribe(GREETER, list -> seen.add((System.nanoTime() - t0) / 1_000_000 + " ms: " + list.size()));
            assertThat(client.references().get(0).instances()).as("the consumer's first list").hasSize(2);
            try (GreeterLoad load = new GreeterLoad(greeter, 4)) {
                await().until(() -> load.count("a") > 100 && load.count("b") > 100);
                seen.add((System.nanoTime() - t0) / 1_000_000 + " ms: stopping a");
                a.stop(Duration.ofSeconds(5));
                int servedByA = load.count("a");
                await().until(() -> load.count("b") > servedByA + 500);
                await().until(() -> observer.instances(GREETER).size() == 1);
                load.close();
                assertThat(load.failures).as("failed calls; the registry's lists: %s", seen).isEmpty();
                assertThat(load.count("a")).isEqualTo(servedByA);
            }
        }
    }

    @Test
    void aKilledProviderDisappearsWithinTheSessionTimeoutAndCallsMoveOn() throws Exception {
        TestingServer zookeeper = track(new TestingServer(true)); // closed last, after everything that uses it
        {
            provider(zookeeper.getConnectString(), "a");
            Process killed = forkProvider(zookeeper.getConnectString(), "forked");
            Greeter greeter = consumer(zookeeper.getConnectString());
            ZooKeeperServiceRegistry observer = registry(zookeeper.getConnectString());
            await().until(() -> observer.instances(GREETER).size() == 2);
            try (GreeterLoad load = new GreeterLoad(greeter, 4)) {
                await().until(() -> load.count("forked") > 50 && load.count("a") > 50);
                long killedAt = System.nanoTime();
                killed.destroyForcibly().waitFor();
                await().atMost(Duration.ofSeconds(15)).until(() -> observer.instances(GREETER).size() == 1);
                assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(12));
                int servedByA = load.count("a");
                await().until(() -> load.count("a") > servedByA + 200);
                load.close();
                // only calls that were in flight on one of the killed process's connections may fail,
                // and they say so: at most one per caller per connection (4 callers x 2 connections)
                assertThat(load.failures).allSatisfy(f -> assertThat(f).hasMessageContaining("was lost while calling")
                        .hasMessageContaining("may have run")).hasSizeLessThanOrEqualTo(8);
            }
        }
    }

    /**
     * Three providers under load from an idempotent reference, one of them a separate JVM killed with
     * kill -9: no call fails (those in flight on it are retried elsewhere), the killed address is
     * left out at once although its registration lingers until its session expires, and when a
     * provider comes back on that address it is re-admitted with a slow start.
     */
    @Test
    void aProviderKilledUnderLoadFailsNoIdempotentCallAndComesBackWithASlowStart() throws Exception {
        TestingServer zookeeper = track(new TestingServer(true)); // closed last, after everything that uses it
        {
            String address = zookeeper.getConnectString();
            provider(address, "a", LONG_SESSION);
            provider(address, "b", LONG_SESSION);
            Process killed = forkProvider(address, "forked", 0);
            String forked = "127.0.0.1:" + forkedPorts.get("forked");
            RpcClient client = track(RpcClient.builder().config(ClientConfig.builder().ioThreads(1)
                    .outlierDetection(new OutlierDetection(5, Duration.ofSeconds(1), Duration.ofSeconds(5), 50, 50, 20,
                            Duration.ofSeconds(10), Duration.ofSeconds(3))).build())
                    .registry(registry(address, LONG_SESSION)).build());
            Greeter greeter = client.create(ReferenceConfig.builder(Greeter.class).idempotent(true).retries(2)
                    .timeout(Duration.ofSeconds(2)).build());
            await().until(() -> client.references().get(0).instances().size() == 3);
            try (GreeterLoad load = new GreeterLoad(greeter, 4)) {
                await().until(() -> load.count("forked") > 100 && load.count("a") > 100 && load.count("b") > 100);
                killed.destroyForcibly().waitFor();
                await().atMost(Duration.ofSeconds(10)).until(() -> !state(client, forked).equals("healthy"));
                int servedByOthers = load.count("a") + load.count("b");
                await().until(() -> load.count("a") + load.count("b") > servedByOthers + 500);

                forkProvider(address, "forked", forkedPorts.get("forked")); // back on the same address
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> state(client, forked).equals("slow-start"));
                int back = load.count("forked");
                await().atMost(Duration.ofSeconds(30)).until(() -> load.count("forked") > back + 100
                        && state(client, forked).equals("healthy"));
                load.close();
                assertThat(load.failures).as("idempotent calls: those in flight on the killed provider were retried")
                        .isEmpty();
            }
        }
    }

    private static String state(RpcClient client, String address) {
        return client.health().stream().filter(h -> h.address().equals(address)).map(RpcClient.InstanceHealth::state)
                .findFirst().orElse("unknown");
    }

    @Test
    void callsGoOnThroughAZooKeeperOutageAndWatchesComeBackAfterIt() throws Exception {
        TestingServer zookeeper = track(new TestingServer(true)); // closed last, after everything that uses it
        {
            String address = zookeeper.getConnectString();
            provider(address, "a");
            provider(address, "b");
            Greeter greeter = consumer(address);
            ZooKeeperServiceRegistry observer = registry(address);
            List<Integer> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
            observer.subscribe(GREETER, list -> sizes.add(list.size()));
            await().until(() -> observer.instances(GREETER).size() == 2);

            zookeeper.stop();
            Map<String, Integer> during = new ConcurrentHashMap<>();
            for (int i = 0; i < 200; i++) {
                during.merge(greeter.whoAmI(), 1, Integer::sum);
            }
            assertThat(during).containsOnlyKeys("a", "b"); // both still used, from the snapshot

            zookeeper.restart();
            provider(address, "c");
            await().atMost(Duration.ofSeconds(30)).until(() -> sizes.get(sizes.size() - 1) == 3);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Map<String, Integer> after = new ConcurrentHashMap<>();
                for (int i = 0; i < 30; i++) {
                    after.merge(greeter.whoAmI(), 1, Integer::sum);
                }
                return after.keySet().containsAll(List.of("a", "b", "c"));
            });
        }
    }

    /**
     * Three nodes on nine distinct ports. {@code new TestingCluster(3)} picks each port on its own, and
     * two of them can be the same free port ("Client and election port must be different").
     */
    private static TestingCluster threeNodes() throws java.io.IOException {
        List<java.net.ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 9; i++) { // held open together: the system gives nine different ports
                held.add(new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
            }
            List<InstanceSpec> nodes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                nodes.add(new InstanceSpec(null, held.get(3 * i).getLocalPort(), held.get(3 * i + 1).getLocalPort(),
                        held.get(3 * i + 2).getLocalPort(), true, i + 1));
            }
            return new TestingCluster(nodes);
        } finally {
            for (java.net.ServerSocket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aThreeNodeClusterLosingOneNodeKeepsRegistrationsWatchesAndCalls() throws Exception {
        TestingCluster cluster = track(threeNodes());
        {
            cluster.start();
            String address = cluster.getConnectString();
            provider(address, "a");
            Greeter greeter = consumer(address);
            ZooKeeperServiceRegistry observer = registry(address);
            await().until(() -> observer.instances(GREETER).size() == 1);

            InstanceSpec victim = cluster.getInstances().iterator().next();
            cluster.killServer(victim);

            for (int i = 0; i < 100; i++) {
                assertThat(greeter.whoAmI()).isEqualTo("a");
            }
            provider(address, "b");
            await().atMost(Duration.ofSeconds(30)).until(() -> observer.instances(GREETER).size() == 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (int i = 0; i < 20; i++) {
                    if (greeter.whoAmI().equals("b")) {
                        return true;
                    }
                }
                return false;
            });
        }
    }

    @Test
    void afterASessionExpiryTheProviderRegistersItselfAgain() throws Exception {
        TestingServer zookeeper = track(new TestingServer(true));
        RpcMetrics metrics = RpcMetrics.simple();
        ZooKeeperServiceRegistry providerRegistry = track(ZooKeeperServiceRegistry.connect(
                ZooKeeperRegistryConfig.of(zookeeper.getConnectString()).withRootPath(root)
                        .withSessionTimeout(Duration.ofSeconds(4)), metrics));
        RpcServer server = RpcServer.builder().bind("127.0.0.1", 0).registry(providerRegistry)
                .service(Greeter.class, () -> "a").start();
        resources.add(() -> server.stop(Duration.ofSeconds(2)));
        ZooKeeperServiceRegistry observer = registry(zookeeper.getConnectString());
        List<Integer> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        observer.subscribe(GREETER, list -> sizes.add(list.size()));
        await().until(() -> !sizes.isEmpty() && sizes.get(sizes.size() - 1) == 1);

        providerRegistry.curator().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();

        await().atMost(Duration.ofSeconds(30)).until(() -> sizes.contains(0) && sizes.get(sizes.size() - 1) == 1);
        assertThat(metrics.registry().get("rpc.registry.operations").tag("operation", "register").counter().count())
                .isEqualTo(1); // the node came back by itself: no second register() was needed
        assertThat(observer.instances(GREETER)).singleElement()
                .satisfies(i -> assertThat(i.metadata()).containsKey("startTime"));
    }

    @Test
    void anUnreachableAddressFailsAfterTheConnectionTimeoutNamingIt() {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        String address = "127.0.0.1:" + port; // nothing listens there now
        long before = System.nanoTime();
        assertThatExceptionOfType(RpcException.class).isThrownBy(() -> ZooKeeperServiceRegistry.connect(
                ZooKeeperRegistryConfig.of(address).withConnectionTimeout(Duration.ofSeconds(1)), RpcMetrics.simple()))
                .withMessage("no ZooKeeper server at " + address + " answered within 1000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
    }

    private Process forkProvider(String address, String name) throws Exception {
        return forkProvider(address, name, 0);
    }

    /** A provider in a JVM of its own, on {@code port} (0: any); {@link #forkedPorts} says where it listens. */
    private Process forkProvider(String address, String name, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(java, "-cp", classPath, ZkProviderMain.class.getName(), address, root, name,
                Integer.toString(port)).redirectErrorStream(true).start();
        resources.add(p::destroyForcibly);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("READY ")) {
                forkedPorts.put(name, Integer.parseInt(line.substring("READY ".length()).strip()));
                CompletableFuture.runAsync(() -> out.lines().forEach(l -> { }));
                return p;
            }
        }
        throw new IllegalStateException("the provider process exited before it was ready");
    }
}
