package io.rpcboot.core.balance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import io.rpcboot.core.registry.ServiceInstance;
import org.junit.jupiter.api.Test;

import static io.rpcboot.core.balance.LoadBalancerContractTests.KEY;
import static io.rpcboot.core.balance.LoadBalancerContractTests.call;
import static io.rpcboot.core.balance.LoadBalancerContractTests.instances;
import static io.rpcboot.core.balance.LoadBalancerContractTests.spread;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

/** What distinguishes each balancer. */
class LoadBalancerBehaviourTests {

    @Test
    void roundRobinSpreadsEvenly() {
        List<ServiceInstance> two = instances(2);
        Map<ServiceInstance, Integer> counts = spread(new RoundRobinLoadBalancer().newPicker(two, new TestStats()), 1000);
        assertThat(counts).containsEntry(two.get(0), 500).containsEntry(two.get(1), 500);
    }

    @Test
    void smoothWeightedGivesExactSharesAndInterleaves() {
        List<ServiceInstance> two = List.of(new ServiceInstance(KEY, "a", 1, 300, Map.of()),
                new ServiceInstance(KEY, "b", 1, 100, Map.of()));
        LoadBalancer.Picker picker = new WeightedRoundRobinLoadBalancer().newPicker(two, new TestStats());
        List<String> first = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            first.add(picker.pick(call(Set.of())).host());
        }
        assertThat(first).containsExactly("a", "a", "b", "a"); // interleaved: b comes before the cycle ends
        Map<ServiceInstance, Integer> counts = spread(picker, 1000);
        assertThat(counts).containsEntry(two.get(0), 750).containsEntry(two.get(1), 250);
    }

    @Test
    void randomFollowsWeights() {
        List<ServiceInstance> two = List.of(new ServiceInstance(KEY, "a", 1, 300, Map.of()),
                new ServiceInstance(KEY, "b", 1, 100, Map.of()));
        Map<ServiceInstance, Integer> counts = spread(new RandomLoadBalancer().newPicker(two, new TestStats()), 40_000);
        assertThat(counts.get(two.get(0)) / 40_000.0).isCloseTo(0.75, within(0.02));
    }

    @Test
    void leastActivePrefersTheInstanceWithFewerCallsInFlight() {
        List<ServiceInstance> three = instances(3);
        TestStats stats = new TestStats();
        stats.of(three.get(0).address()).start();
        stats.of(three.get(0).address()).start();
        stats.of(three.get(2).address()).start();
        LoadBalancer.Picker picker = new LeastActiveLoadBalancer().newPicker(three, stats);
        for (int i = 0; i < 100; i++) {
            assertThat(picker.pick(call(Set.of()))).isEqualTo(three.get(1));
        }
    }

    @Test
    void consistentHashKeepsKeysInPlaceAndMovesFewWhenAnInstanceLeaves() {
        List<ServiceInstance> five = instances(5);
        ConsistentHashLoadBalancer lb = new ConsistentHashLoadBalancer(0);
        LoadBalancer.Picker before = lb.newPicker(five, new TestStats());
        LoadBalancer.Picker after = lb.newPicker(five.subList(0, 4), new TestStats());
        int moved = 0;
        for (int i = 0; i < 10_000; i++) {
            ServiceInstance a = before.pick(call(Set.of(), "user-" + i));
            assertThat(before.pick(call(Set.of(), "user-" + i))).isEqualTo(a);
            ServiceInstance b = after.pick(call(Set.of(), "user-" + i));
            if (!a.equals(b)) {
                moved++;
                assertThat(a).as("only keys of the removed instance move").isEqualTo(five.get(4));
            }
        }
        assertThat(moved / 10_000.0).isCloseTo(0.2, within(0.07));
    }

    @Test
    void consistentHashOnAChosenArgument() {
        LoadBalancers all = new LoadBalancers();
        LoadBalancer onSecond = all.get("consistent-hash:1");
        LoadBalancer.Picker picker = onSecond.newPicker(instances(5), new TestStats());
        ServiceInstance first = picker.pick(call(Set.of(), "ignored-1", "tenant-42"));
        for (int i = 0; i < 50; i++) {
            assertThat(picker.pick(call(Set.of(), "ignored-" + i, "tenant-42"))).isEqualTo(first);
        }
        assertThatIllegalArgumentException().isThrownBy(() -> all.get("fastest"))
                .withMessageStartingWith("unknown load balancer 'fastest'; known: [round-robin, weighted, random,"
                        + " least-active, consistent-hash, p2c]");
    }

    @Test
    void powerOfTwoChoicesPrefersTheFasterInstance() {
        List<ServiceInstance> two = instances(2);
        AtomicLong now = new AtomicLong();
        TestStats stats = new TestStats(now::get);
        for (int i = 0; i < 20; i++) {
            now.addAndGet(1_000_000);
            stats.of(two.get(0).address()).start();
            stats.of(two.get(0).address()).end(50_000_000); // 50 ms
            stats.of(two.get(1).address()).start();
            stats.of(two.get(1).address()).end(1_000_000); // 1 ms
        }
        Map<ServiceInstance, Integer> counts = spread(new PowerOfTwoChoicesLoadBalancer().newPicker(two, stats), 1000);
        assertThat(counts.get(two.get(1))).isEqualTo(1000); // with two instances, both are always compared
        assertThat(stats.of(two.get(0).address()).latencyNanos()).isGreaterThan(stats.of(two.get(1).address()).latencyNanos());
    }
}
