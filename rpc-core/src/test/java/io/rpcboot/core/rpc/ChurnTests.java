package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.registry.InMemoryServiceRegistry;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import io.rpcboot.core.server.RpcServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Registry churn against a live client: instances of real providers come and go thousands of times
 * while callers keep calling. The client keeps one endpoint (with its live figures) per address its
 * references list, no more, and the connections of the endpoints that left close once idle.
 */
@Timeout(120)
class ChurnTests {

    private static final ServiceKey ECHO = ServiceKey.of(Echo.class);

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    /** Callers that keep calling until stopped; answers per provider and every failure kept. */
    private static final class Load implements AutoCloseable {
        final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<CompletableFuture<Void>> threads = new ArrayList<>();

        Load(Echo echo, int callers) {
            for (int t = 0; t < callers; t++) {
                threads.add(CompletableFuture.runAsync(() -> {
                    while (running.get()) {
                        try {
                            served.computeIfAbsent(echo.whoAmI(), k -> new AtomicInteger()).incrementAndGet();
                        } catch (RuntimeException e) {
                            failures.add(e);
                        }
                    }
                }, r -> new Thread(r).start()));
            }
        }

        int total() {
            return served.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        @Override
        public void close() {
            running.set(false);
            threads.forEach(CompletableFuture::join);
        }
    }

    @Test
    void tenThousandRegisterUnregisterCyclesLeaveOneEndpointPerLiveInstance() {
        // the providers announce to a registry of their own: this test alone decides what the client sees
        InMemoryServiceRegistry providersOwn = new InMemoryServiceRegistry();
        List<RpcServer> servers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String name = "p" + i;
            servers.add(fixture.server(b -> b.registry(providersOwn).service(Echo.class, new NamedEcho(name, 0))));
        }
        ServiceInstance stable = instanceOf(servers.get(0));
        fixture.registry.register(stable);
        RpcClient client = fixture.client();
        Echo echo = client.create(Echo.class);
        assertThat(echo.whoAmI()).isEqualTo("p0");

        Set<ServiceInstance> live = new HashSet<>(Set.of(stable));
        try (Load load = new Load(echo, 4)) {
            for (int cycle = 0; cycle < 10_000; cycle++) {
                ServiceInstance churned = instanceOf(servers.get(1 + cycle % 3));
                fixture.registry.register(churned);
                live.add(churned);
                assertThat(client.poolStats()).as("endpoints after registering, cycle %d", cycle).hasSize(live.size());
                if (cycle % 7 != 0) { // now and then an instance stays for a cycle or two: sets of 1 to 4 instances
                    fixture.registry.unregister(churned);
                    live.remove(churned);
                }
                assertThat(client.poolStats()).as("endpoints after the cycle, cycle %d", cycle).hasSize(live.size());
                if (cycle % 100 == 0) {
                    int before = load.total();
                    soon().until(() -> load.total() > before); // the callers go on through the churn
                }
            }
            for (int i = 1; i < 4; i++) {
                fixture.registry.unregister(instanceOf(servers.get(i)));
            }
            assertThat(client.poolStats()).containsOnlyKeys(stable.address());
            load.close();
            assertThat(load.failures).as("calls through the churn fail only with a typed RpcException")
                    .allSatisfy(f -> assertThat(f).isInstanceOf(RpcException.class));
            assertThat(load.served.keySet()).as("calls reached the churned instances too").hasSizeGreaterThan(1);
        }
        // the connections to the instances that left close once their calls are answered
        await().untilAsserted(() -> {
            for (int i = 1; i < 4; i++) {
                assertThat(servers.get(i).openConnections()).as("connections to p%d", i).isZero();
            }
        });
        assertThat(echo.whoAmI()).isEqualTo("p0");
    }

    /** Waits polling every millisecond: a cycle's waits are short, and there are thousands of them. */
    private static org.awaitility.core.ConditionFactory soon() {
        return await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1));
    }

    private static ServiceInstance instanceOf(RpcServer server) {
        return new ServiceInstance(ECHO, "127.0.0.1", server.port());
    }
}
