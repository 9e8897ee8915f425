package io.rpcboot.core.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What every {@link ServiceRegistry} must do, run against each implementation (in-memory here,
 * ZooKeeper in its module). A distributed registry may deliver changes a little later: every
 * assertion on a subscription waits for it.
 */
@Timeout(120)
public abstract class ServiceRegistryContract {

    protected static final ServiceKey GREETER = new ServiceKey("com.example.Greeter", "", "");
    protected static final ServiceKey GREETER_V2 = new ServiceKey("com.example.Greeter", "2.0", "blue");

    protected ServiceRegistry registry;

    /** A fresh, empty registry. */
    protected abstract ServiceRegistry newRegistry() throws Exception;

    @BeforeEach
    void open() throws Exception {
        registry = newRegistry();
    }

    @AfterEach
    void close() {
        registry.close();
    }

    protected static ServiceInstance instance(ServiceKey key, int port) {
        return new ServiceInstance(key, "127.0.0.1", port, 100, Map.of("zone", "a"));
    }

    @Test
    void registeredInstancesAreListedWithTheirWeightAndMetadata() {
        registry.register(new ServiceInstance(GREETER, "127.0.0.1", 7001, 300, Map.of("zone", "b")));
        registry.register(instance(GREETER, 7002));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(registry.instances(GREETER)).hasSize(2));
        ServiceInstance first = registry.instances(GREETER).stream().filter(i -> i.port() == 7001).findFirst().orElseThrow();
        assertThat(first.weight()).isEqualTo(300);
        assertThat(first.metadata()).containsEntry("zone", "b");
        assertThat(first.key()).isEqualTo(GREETER);
    }

    @Test
    void versionsAndGroupsAreSeparateServices() {
        registry.register(instance(GREETER, 7001));
        registry.register(instance(GREETER_V2, 7002));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(registry.instances(GREETER)).extracting(ServiceInstance::port).containsExactly(7001);
            assertThat(registry.instances(GREETER_V2)).extracting(ServiceInstance::port).containsExactly(7002);
        });
    }

    @Test
    void unregisteringRemovesOnlyThatInstance() {
        registry.register(instance(GREETER, 7001));
        registry.register(instance(GREETER, 7002));
        registry.unregister(instance(GREETER, 7001));
        registry.unregister(instance(GREETER, 7999)); // never registered: a no-op
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(registry.instances(GREETER)).extracting(ServiceInstance::port).containsExactly(7002));
    }

    @Test
    void registeringAgainReplacesTheInstance() {
        registry.register(instance(GREETER, 7001));
        registry.register(new ServiceInstance(GREETER, "127.0.0.1", 7001, 500, Map.of()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(registry.instances(GREETER))
                .singleElement().satisfies(i -> assertThat(i.weight()).isEqualTo(500)));
    }

    @Test
    void subscribersSeeTheCurrentListThenEveryChange() {
        registry.register(instance(GREETER, 7001));
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.instances(GREETER).size() == 1);
        List<List<ServiceInstance>> seen = new CopyOnWriteArrayList<>();
        ServiceRegistry.Subscription subscription = registry.subscribe(GREETER, seen::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty() && seen.get(seen.size() - 1).size() == 1);

        registry.register(instance(GREETER, 7002));
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.get(seen.size() - 1).size() == 2);
        registry.unregister(instance(GREETER, 7001));
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.get(seen.size() - 1).size() == 1
                && seen.get(seen.size() - 1).get(0).port() == 7002);

        subscription.close();
        int calls = seen.size();
        registry.register(instance(GREETER, 7003));
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.instances(GREETER).size() == 2);
        assertThat(seen).hasSize(calls);
    }

    @Test
    void fiftyInstancesRegisteringAndLeavingConcurrentlyEndInAConsistentView() {
        List<CompletableFuture<Void>> work = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int port = 8000 + i;
            work.add(CompletableFuture.runAsync(() -> {
                registry.register(instance(GREETER, port));
                if (port % 2 == 1) {
                    registry.unregister(instance(GREETER, port)); // the odd ones leave again
                }
            }));
        }
        List<List<ServiceInstance>> seen = new CopyOnWriteArrayList<>();
        registry.subscribe(GREETER, seen::add);
        work.forEach(CompletableFuture::join);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(registry.instances(GREETER)).extracting(ServiceInstance::port).hasSize(25)
                    .allMatch(p -> p % 2 == 0);
            assertThat(seen.get(seen.size() - 1)).extracting(ServiceInstance::port).hasSize(25).allMatch(p -> p % 2 == 0);
        });
    }
}
