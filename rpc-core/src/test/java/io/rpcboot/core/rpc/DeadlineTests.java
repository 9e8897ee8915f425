package io.rpcboot.core.rpc;

import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.rpcboot.core.RpcContext;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ConnectionPoolStats;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.RpcConnectionException;
import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.server.ServerConfig;
import io.rpcboot.core.testing.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Deadlines on both sides. Where a test is about which deadline ends a call, time is a
 * {@link FakeClock} the test moves: nothing waits for real time, and no two real timers race.
 */
@Timeout(60)
class DeadlineTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    /** Provider A: serves a call by calling provider B. */
    interface Front {
        String relay(long backendMillis);
    }

    /** Echo whose {@code slow} holds its worker until the test lets it go: work that outlasts any deadline. */
    static class HeldEcho extends NamedEcho {
        final CountDownLatch released = new CountDownLatch(1);

        HeldEcho(String name) {
            super(name, 0);
        }

        @Override
        public String slow(long millis) {
            if (millis > 0) {
                try {
                    released.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return name;
        }
    }

    private RpcClient client(FakeClock clock) {
        return fixture.client(ClientConfig.builder().ioThreads(2), b -> b.resources(fixture.parts().clock(clock).build()));
    }

    @Test
    void aNestedCallInheritsTheRemainingDeadlineOfTheCallBeingServed() {
        FakeClock clock = new FakeClock();
        HeldEcho back = new HeldEcho("back");
        fixture.server(b -> b.resources(fixture.parts().clock(clock).build()).service(Echo.class, back));
        // B's reference allows 30 s, but A serves a call with a 1 s deadline: the nested call gets what is left
        Echo backend = client(clock).create(ReferenceConfig.builder(Echo.class).timeout(Duration.ofSeconds(30)).build());
        AtomicLong seenDeadline = new AtomicLong();
        CompletableFuture<RuntimeException> nestedFailure = new CompletableFuture<>();
        CompletableFuture<Long> nestedFailedAt = new CompletableFuture<>();
        fixture.server(b -> b.resources(fixture.parts().clock(clock).build()).service(Front.class, millis -> {
            seenDeadline.set(RpcContext.deadlineMillis().orElse(-1));
            try {
                return backend.slow(millis);
            } catch (RuntimeException e) {
                nestedFailedAt.complete(clock.currentTimeMillis());
                nestedFailure.complete(e);
                throw e;
            }
        }));
        Front front = client(clock).create(ReferenceConfig.builder(Front.class).timeout(Duration.ofSeconds(1)).build());

        try {
            long before = clock.currentTimeMillis();
            CompletableFuture<String> outer = CompletableFuture.supplyAsync(() -> front.relay(3_000));
            await().until(() -> clock.parkedThreads() == 2); // the caller, and provider A waiting for B
            clock.forward(Duration.ofSeconds(1));

            assertThatThrownBy(outer::join).hasCauseInstanceOf(RpcTimeoutException.class);
            assertThat(nestedFailure.join()).isInstanceOf(RpcTimeoutException.class)
                    .hasMessageStartingWith("call to " + Echo.class.getName() + ".slow(long)")
                    .hasMessageEndingWith("(the deadline inherited from the call being served)");
            assertThat(seenDeadline.get()).isBetween(before + 500, before + 1_500);
            assertThat(nestedFailedAt.join() - before).as("the nested call gave up at its caller's deadline, not after 30 s")
                    .isLessThan(5_000);
            assertThat(front.relay(0)).isEqualTo("back");
        } finally {
            back.released.countDown();
        }
    }

    @Test
    void aProviderWhoseNestedCallRanOutOfTheInheritedDeadlineAnswersWithADeadlineStatus() {
        // the caller's clock never moves, so its own deadline cannot end the call: only the provider's answer can
        FakeClock callerClock = new FakeClock();
        FakeClock providerClock = new FakeClock(callerClock.currentTimeMillis());
        HeldEcho back = new HeldEcho("back");
        fixture.server(b -> b.resources(fixture.parts().clock(providerClock).build()).service(Echo.class, back));
        Echo backend = client(providerClock).create(ReferenceConfig.builder(Echo.class).timeout(Duration.ofSeconds(30)).build());
        RpcMetrics frontMetrics = RpcMetrics.simple();
        fixture.server(b -> b.resources(fixture.parts().clock(providerClock).build()).metrics(frontMetrics).service(Front.class, backend::slow));
        Front front = client(callerClock).create(ReferenceConfig.builder(Front.class).timeout(Duration.ofSeconds(1)).build());

        try {
            CompletableFuture<String> outer = CompletableFuture.supplyAsync(() -> front.relay(3_000));
            await().until(() -> providerClock.parkedThreads() == 1); // provider A waits for B
            providerClock.forward(Duration.ofSeconds(1));

            assertThatThrownBy(outer::join).cause().isInstanceOf(RpcTimeoutException.class)
                    .hasMessageStartingWith("call to " + Front.class.getName() + ".relay(long) on 127.0.0.1:")
                    .hasMessageContaining("timed out after 1000 ms; the provider reported DEADLINE_EXCEEDED_WHILE_RUNNING: "
                            + "the deadline passed while " + Front.class.getName() + ".relay(long) ran: call to "
                            + Echo.class.getName() + ".slow(long)")
                    .hasMessageEndingWith("(the deadline inherited from the call being served)");
            assertThat(RpcStatus.DEADLINE_EXCEEDED_WHILE_RUNNING.isNotExecuted()).as("the provider ran, in part").isFalse();
            // the provider answers, then records its timer: wait for the second step
            await().untilAsserted(() -> assertThat(frontMetrics.registry().find("rpc.server.requests")
                    .tag("outcome", "timeout").timer()).isNotNull().extracting(t -> t.count()).isEqualTo(1L));
        } finally {
            back.released.countDown();
        }
    }

    @Test
    void aRequestWhoseDeadlinePassedInTheQueueIsNotExecuted() throws Exception {
        FakeClock clock = new FakeClock();
        AtomicInteger executed = new AtomicInteger();
        RpcMetrics serverMetrics = RpcMetrics.simple();
        HeldEcho held = new HeldEcho("q") {
            @Override
            public String whoAmI() {
                executed.incrementAndGet();
                return super.whoAmI();
            }
        };
        fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1).workerThreads(1).queueCapacity(10),
                b -> b.resources(fixture.parts().clock(clock).build()).metrics(serverMetrics).service(Echo.class, held));
        RpcClient client = client(clock);
        Echo echo = client.create(Echo.class);
        Echo impatient = client.create(ReferenceConfig.builder(Echo.class).timeout(Duration.ofMillis(100)).build());
        echo.slowAsync(0).join(); // warm the connection
        try {
            CompletableFuture<String> occupying = CompletableFuture.supplyAsync(() -> echo.slow(800)); // holds the one worker
            await().until(() -> serverMetrics.registry().find("rpc.server.inflight").gauge() != null
                    && serverMetrics.registry().find("rpc.server.inflight").gauge().value() >= 1);
            CompletableFuture<String> waiting = CompletableFuture.supplyAsync(impatient::whoAmI);
            await().until(() -> clock.parkedThreads() == 2); // both callers sent their request and wait
            clock.forward(Duration.ofMillis(100));

            assertThatThrownBy(waiting::join).hasCauseInstanceOf(RpcTimeoutException.class);
            held.released.countDown();
            occupying.join();
            await().until(() -> serverMetrics.registry().get("rpc.server.rejected")
                    .tag("reason", "deadline").counter().count() == 1);
            assertThat(executed).hasValue(0);
        } finally {
            held.released.countDown();
        }
    }

    @Test
    void aSynchronousCallEndedByTheDeadlineGuardGivesItsConnectionLeaseBack() {
        FakeClock clock = new FakeClock();
        HeldEcho held = new HeldEcho("held");
        fixture.server(b -> b.resources(fixture.parts().clock(clock).build()).service(Echo.class, held));
        RpcClient client = client(clock);
        Echo echo = client.create(ReferenceConfig.builder(Echo.class).timeout(Duration.ofSeconds(1)).build());
        try {
            // the first call connects: the slow path, watched by the deadline guard; the provider holds it
            CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> echo.slow(1));
            await().until(() -> clock.parkedThreads() == 1 && leases(client) == 1);
            clock.forward(Duration.ofSeconds(1)); // the guard's timer runs first, then the caller wakes

            assertThatThrownBy(call::join).hasCauseInstanceOf(RpcTimeoutException.class);
            assertThat(leases(client)).as("connection leases held once the call timed out").isZero();
        } finally {
            held.released.countDown();
        }
    }

    private static int leases(RpcClient client) {
        return client.poolStats().values().stream().mapToInt(ConnectionPoolStats::leases).sum();
    }

    @Test
    void aCallWhoseConnectHangsStillEndsAtItsDeadline() throws Exception {
        FakeClock clock = new FakeClock();
        try (java.nio.channels.ServerSocketChannel full = java.nio.channels.ServerSocketChannel.open()) {
            full.bind(new java.net.InetSocketAddress("127.0.0.1", 0), 1); // backlog 1, never accepted
            int port = ((java.net.InetSocketAddress) full.getLocalAddress()).getPort();
            java.util.List<java.net.Socket> fillers = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) { // fill the accept queue: further SYNs are dropped and connects hang
                java.net.Socket s = new java.net.Socket();
                try {
                    s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
                    fillers.add(s);
                } catch (java.io.IOException e) {
                    s.close();
                }
            }
            RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1).connectTimeout(Duration.ofSeconds(20)),
                    b -> b.resources(fixture.parts().clock(clock).build()));
            Echo echo = client.create(ReferenceConfig.builder(Echo.class).timeout(Duration.ofMillis(300))
                    .urls(java.util.List.of("127.0.0.1:" + port)).build());
            long before = System.currentTimeMillis();
            CompletableFuture<String> sync = CompletableFuture.supplyAsync(echo::whoAmI);
            await().until(() -> clock.parkedThreads() == 1);
            clock.forward(Duration.ofMillis(300));
            assertThatThrownBy(sync::join).cause().isInstanceOf(RpcTimeoutException.class)
                    .hasMessageEndingWith("timed out after 300 ms");
            assertThat(System.currentTimeMillis() - before).as("the 20 s connect timeout did not hold the call")
                    .isLessThan(5_000);
            CompletableFuture<String> async = echo.slowAsync(0);
            await().until(() -> clock.pendingTimers() == 1); // its deadline guard
            clock.forward(Duration.ofMillis(300));
            assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
                    .isThrownBy(() -> async.get(5, java.util.concurrent.TimeUnit.SECONDS))
                    .withCauseInstanceOf(RpcTimeoutException.class);
            for (java.net.Socket s : fillers) {
                s.close();
            }
        }
    }

    @Test
    void aDeadPeerIsDetectedByHeartbeatsAndItsCallsFailAtOnce() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            // accepts and reads, never answers: what a hung process looks like from the network
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    Socket s = silent.accept();
                    s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                    return s;
                } catch (java.io.IOException e) {
                    return null;
                }
            });
            RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1)
                    .heartbeatInterval(Duration.ofMillis(200)).timeout(Duration.ofSeconds(30)));
            Echo echo = client.create(ReferenceConfig.builder(Echo.class)
                    .urls(java.util.List.of("127.0.0.1:" + silent.getLocalPort())).build());
            long before = System.currentTimeMillis();
            assertThatExceptionOfType(RpcConnectionException.class).isThrownBy(echo::whoAmI)
                    .withMessageContaining("no heartbeat reply from 127.0.0.1:" + silent.getLocalPort());
            assertThat(System.currentTimeMillis() - before).as("long before the 30 s timeout").isLessThan(10_000);
            accepted.cancel(true);
        }
    }
}
