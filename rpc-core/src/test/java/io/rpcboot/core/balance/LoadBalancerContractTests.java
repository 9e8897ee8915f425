package io.rpcboot.core.balance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** What every balancer must do, run against each of them. */
class LoadBalancerContractTests {

    static final ServiceKey KEY = new ServiceKey("com.example.Echo", "", "");

    static Stream<LoadBalancer> balancers() {
        LoadBalancers all = new LoadBalancers();
        return all.names().stream().map(all::get);
    }

    static List<ServiceInstance> instances(int n) {
        List<ServiceInstance> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new ServiceInstance(KEY, "127.0.0.1", 7000 + i, 100 * (i + 1), Map.of()));
        }
        return list;
    }

    static LoadBalancer.CallInfo call(Set<ServiceInstance> excluded, Object... args) {
        return new LoadBalancer.CallInfo() {
            public String method() {
                return "echo(java.lang.String)";
            }

            public Object[] arguments() {
                return args;
            }

            public boolean excluded(ServiceInstance instance) {
                return excluded.contains(instance);
            }
        };
    }

    @ParameterizedTest
    @MethodSource("balancers")
    void picksOnlyGivenInstancesAndEveryOneEventually(LoadBalancer balancer) {
        List<ServiceInstance> instances = instances(4);
        LoadBalancer.Picker picker = balancer.newPicker(instances, new TestStats());
        Set<ServiceInstance> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            ServiceInstance picked = picker.pick(call(Set.of(), "key-" + i));
            assertThat(instances).contains(picked);
            seen.add(picked);
        }
        assertThat(seen).as(balancer.name()).hasSize(4);
    }

    @ParameterizedTest
    @MethodSource("balancers")
    void neverPicksAnExcludedInstanceAndGivesNullWhenAllAre(LoadBalancer balancer) {
        List<ServiceInstance> instances = instances(3);
        LoadBalancer.Picker picker = balancer.newPicker(instances, new TestStats());
        Set<ServiceInstance> excluded = Set.of(instances.get(0), instances.get(2));
        for (int i = 0; i < 500; i++) {
            assertThat(picker.pick(call(excluded, "k" + i))).isEqualTo(instances.get(1));
        }
        assertThat(picker.pick(call(Set.copyOf(instances), "k"))).isNull();
    }

    @ParameterizedTest
    @MethodSource("balancers")
    void isSafeToUseFromManyThreads(LoadBalancer balancer) {
        List<ServiceInstance> instances = instances(5);
        LoadBalancer.Picker picker = balancer.newPicker(instances, new TestStats());
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            runs.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 20_000; i++) {
                    assertThat(picker.pick(call(Set.of(), i))).isNotNull();
                }
            }, r -> new Thread(r).start()));
        }
        runs.forEach(CompletableFuture::join);
    }

    @ParameterizedTest
    @MethodSource("balancers")
    void worksWithASingleInstance(LoadBalancer balancer) {
        List<ServiceInstance> one = instances(1);
        LoadBalancer.Picker picker = balancer.newPicker(one, new TestStats());
        assertThat(picker.pick(call(Set.of(), "x"))).isEqualTo(one.get(0));
    }

    static Map<ServiceInstance, Integer> spread(LoadBalancer.Picker picker, int calls) {
        Map<ServiceInstance, Integer> counts = new HashMap<>();
        for (int i = 0; i < calls; i++) {
            counts.merge(picker.pick(call(Set.of(), "k" + i)), 1, Integer::sum);
        }
        return counts;
    }
}
