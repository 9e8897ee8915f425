package io.rpcboot.core.rpc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import io.rpcboot.core.server.ServiceDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** Two providers, one consumer, real sockets: how each balancer spreads calls. */
@Timeout(120)
class BalancingTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    private void providers(int weightA, long delayA, int weightB, long delayB) {
        fixture.server(b -> b.service(new ServiceDefinition(Echo.class, new NamedEcho("a", delayA), "", "", weightA)));
        fixture.server(b -> b.service(new ServiceDefinition(Echo.class, new NamedEcho("b", delayB), "", "", weightB)));
    }

    private Map<String, Integer> calls(String balancer, int calls) {
        Echo echo = fixture.client().create(ReferenceConfig.builder(Echo.class).loadBalancer(balancer).build());
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        for (int i = 0; i < calls; i++) {
            counts.merge(echo.whoAmI(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinSpreadsThousandCallsFiveHundredEach() {
        providers(100, 0, 100, 0);
        assertThat(calls("round-robin", 1000)).containsEntry("a", 500).containsEntry("b", 500);
    }

    @Test
    void weightedThreeToOneGivesSevenFiftyToTwoFifty() {
        providers(300, 0, 100, 0);
        Map<String, Integer> counts = calls("weighted", 1000);
        assertThat(counts.get("a")).isBetween(740, 760);
        assertThat(counts.get("b")).isBetween(240, 260);
    }

    @Test
    void leastActivePrefersTheFastProvider() throws Exception {
        providers(100, 0, 100, 30);
        Map<String, Integer> counts = concurrentCalls("least-active");
        assertThat(counts.get("a")).isGreaterThan(counts.getOrDefault("b", 0) * 3);
    }

    @Test
    void powerOfTwoChoicesPrefersTheFastProvider() throws Exception {
        providers(100, 0, 100, 30);
        Map<String, Integer> counts = concurrentCalls("p2c");
        assertThat(counts.get("a")).isGreaterThan(counts.getOrDefault("b", 0) * 3);
    }

    /** Eight callers, 50 calls each: a slow provider holds its calls longer, so balancers that look at load see it. */
    private Map<String, Integer> concurrentCalls(String balancer) throws Exception {
        Echo echo = fixture.client().create(ReferenceConfig.builder(Echo.class).loadBalancer(balancer).build());
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(callers.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        counts.merge(echo.whoAmI(), 1, Integer::sum);
                    }
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            callers.shutdown();
        }
        return counts;
    }
}
