package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.RpcConnectionException;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Providers going away under load: gracefully (nothing fails) and abruptly (only in-flight calls fail). */
@Timeout(120)
class FailoverTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    /** Eight threads calling until told to stop; counts answers per provider and keeps failures. */
    private static final class Load {
        final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<CompletableFuture<Void>> threads = new ArrayList<>();

        Load(Echo echo, long workMillis) {
            for (int t = 0; t < 8; t++) {
                threads.add(CompletableFuture.runAsync(() -> {
                    while (running.get()) {
                        try {
                            served.computeIfAbsent(echo.slow(workMillis), k -> new AtomicInteger()).incrementAndGet();
                        } catch (RuntimeException e) {
                            failures.add(e);
                        }
                    }
                }, r -> new Thread(r).start()));
            }
        }

        int servedBy(String name) {
            AtomicInteger n = served.get(name);
            return n == null ? 0 : n.get();
        }

        void stop() {
            running.set(false);
            threads.forEach(CompletableFuture::join);
        }
    }

    @Test
    void aGracefulStopDuringLoadFailsNoCall() {
        AtomicInteger ranOnA = new AtomicInteger();
        RpcServer a = fixture.server(b -> b.service(Echo.class, new NamedEcho("a", 0) {
            @Override
            public String slow(long millis) {
                ranOnA.incrementAndGet();
                return super.slow(millis);
            }
        }));
        fixture.server(b -> b.service(Echo.class, new NamedEcho("b", 0)));
        Echo echo = fixture.client().create(Echo.class); // not idempotent, no retries: draining alone must do it
        Load load = new Load(echo, 2);
        await().until(() -> load.servedBy("a") > 200 && load.servedBy("b") > 200);

        a.stop(Duration.ofSeconds(10));
        // counted where the calls run: a caller may still be on its way to count an answer A sent before it stopped
        int ranBeforeStop = ranOnA.get();
        await().until(() -> load.servedBy("b") > 1000);
        load.stop();

        assertThat(load.failures).isEmpty();
        assertThat(ranOnA).as("calls run on A after its stop returned").hasValue(ranBeforeStop);
        assertThat(load.servedBy("a")).as("every call A ran was answered").isEqualTo(ranBeforeStop);
    }

    @Test
    void outOfServiceUnderLoadFailsNoCallAndBackInServiceTakesCallsAgain() {
        RpcServer a = fixture.server(b -> b.service(Echo.class, new NamedEcho("a", 0)));
        fixture.server(b -> b.service(Echo.class, new NamedEcho("b", 0)));
        Echo echo = fixture.client().create(Echo.class); // not idempotent, no retries: the notice alone must do it
        Load load = new Load(echo, 1);
        await().until(() -> load.servedBy("a") > 100 && load.servedBy("b") > 100);

        assertThat(a.takeOutOfService()).isTrue();
        assertThat(a.takeOutOfService()).as("idempotent").isFalse();
        assertThat(a.isInService()).isFalse();
        assertThat(fixture.registry.instances(io.rpcboot.core.registry.ServiceKey.of(Echo.class))).hasSize(1);
        // once the notice has reached the client (500 calls later), a gets nothing new while b carries on
        int servedByBAtNotice = load.servedBy("b");
        await().until(() -> load.servedBy("b") > servedByBAtNotice + 500);
        int servedByA = load.servedBy("a");
        int servedByB = load.servedBy("b");
        await().until(() -> load.servedBy("b") > servedByB + 500);
        assertThat(load.servedBy("a")).as("calls a served after it was taken out of service").isEqualTo(servedByA);
        assertThat(a.isRunning()).as("still running: only out of service").isTrue();

        assertThat(a.putInService()).isTrue();
        assertThat(fixture.registry.instances(io.rpcboot.core.registry.ServiceKey.of(Echo.class))).hasSize(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> load.servedBy("a") > servedByA + 100);
        load.stop();
        assertThat(load.failures).isEmpty();
    }

    @Test
    void anAbruptKillMovesCallsToTheOtherProviderAndFailsOnlyCallsInFlightThere() {
        EventLoopGroup killBoss = new EventLoopGroup("doomed-boss", 1, true);
        EventLoopGroup killWorkers = new EventLoopGroup("doomed-io", 1, true);
        fixture.server(b -> b.resources(fixture.parts().serverLoops(killBoss, killWorkers).build()).service(Echo.class, new NamedEcho("a", 0)));
        fixture.server(b -> b.service(Echo.class, new NamedEcho("b", 0)));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(2).timeout(Duration.ofSeconds(20)));
        Echo echo = client.create(Echo.class);
        Load load = new Load(echo, 5);
        await().until(() -> load.servedBy("a") > 100 && load.servedBy("b") > 100);

        killBoss.close(); // no draining notice: sockets just close under the calls
        killWorkers.close();
        int servedByB = load.servedBy("b");
        await().atMost(Duration.ofSeconds(15)).until(() -> load.servedBy("b") > servedByB + 500);
        load.stop();

        assertThat(load.failures).allSatisfy(f -> assertThat(f).isInstanceOf(RpcConnectionException.class)
                .hasMessageContaining("was lost while calling").hasMessageContaining("the call may have run"));
        assertThat(load.failures.size()).as("at most one call in flight per caller thread on the killed provider")
                .isLessThanOrEqualTo(8);
        assertThat(client.inFlight()).isZero();
    }

    @Test
    void anIdempotentReferenceRetriesACallLostWithItsConnection() {
        EventLoopGroup killBoss = new EventLoopGroup("doomed-boss", 1, true);
        EventLoopGroup killWorkers = new EventLoopGroup("doomed-io", 1, true);
        fixture.server(b -> b.resources(fixture.parts().serverLoops(killBoss, killWorkers).build()).service(Echo.class, new NamedEcho("a", 0)));
        fixture.server(b -> b.service(Echo.class, new NamedEcho("b", 0)));
        Echo echo = fixture.client().create(ReferenceConfig.builder(Echo.class).idempotent(true).retries(2).build());
        Load load = new Load(echo, 5);
        await().until(() -> load.servedBy("a") > 100 && load.servedBy("b") > 100);
        killBoss.close();
        killWorkers.close();
        int servedByB = load.servedBy("b");
        await().atMost(Duration.ofSeconds(15)).until(() -> load.servedBy("b") > servedByB + 500);
        load.stop();
        assertThat(load.failures).isEmpty();
    }

    @Test
    void anOverloadedProviderSendsTheCallToAnotherInstance() {
        ServerConfig.Builder tiny = ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1).workerThreads(1)
                .queueCapacity(0);
        RpcMetrics tinyMetrics = RpcMetrics.simple();
        fixture.server(tiny, b -> b.metrics(tinyMetrics).service(Echo.class, new NamedEcho("tiny", 0)));
        fixture.server(b -> b.service(Echo.class, new NamedEcho("big", 0)));
        Echo echo = fixture.client().create(Echo.class); // not idempotent: OVERLOADED proves the call did not run
        ExecutorService callers = Executors.newFixedThreadPool(20);
        try {
            List<CompletableFuture<String>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> echo.slow(300), callers));
            }
            List<String> answers = calls.stream().map(CompletableFuture::join).toList();
            assertThat(answers).hasSize(20).contains("big");
            assertThat(tinyMetrics.registry().get("rpc.server.rejected").tag("reason", "overloaded").counter().count())
                    .isPositive();
        } finally {
            callers.shutdown();
        }
    }
}
