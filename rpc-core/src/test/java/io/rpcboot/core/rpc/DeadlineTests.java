package io.rpcboot.core.rpc;

import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import io.rpcboot.core.RpcContext;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.RpcConnectionException;
import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@Timeout(60)
class DeadlineTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    /** Provider A: serves a call by calling provider B. */
    interface Front {
        String relay(long backendMillis);
    }

    @Test
    void aNestedCallInheritsTheRemainingDeadlineOfTheCallBeingServed() {
        fixture.server(b -> b.service(Echo.class, new NamedEcho("back", 0)));
        // B's reference allows 30 s, but A serves a call with a 1 s deadline: the nested call gets what is left
        Echo backend = fixture.client().create(ReferenceConfig.builder(Echo.class).timeout(Duration.ofSeconds(30)).build());
        AtomicLong seenDeadline = new AtomicLong();
        CompletableFuture<RuntimeException> nestedFailure = new CompletableFuture<>();
        CompletableFuture<Long> nestedFailedAt = new CompletableFuture<>();
        fixture.server(b -> b.service(Front.class, millis -> {
            seenDeadline.set(RpcContext.deadlineMillis().orElse(-1));
            try {
                return backend.slow(millis);
            } catch (RuntimeException e) {
                nestedFailedAt.complete(System.currentTimeMillis());
                nestedFailure.complete(e);
                throw e;
            }
        }));
        Front front = fixture.client().create(ReferenceConfig.builder(Front.class).timeout(Duration.ofSeconds(1)).build());

        long before = System.currentTimeMillis();
        assertThatExceptionOfType(RpcTimeoutException.class).isThrownBy(() -> front.relay(3_000));

        assertThat(nestedFailure.join()).isInstanceOf(RpcTimeoutException.class)
                .hasMessageStartingWith("call to " + Echo.class.getName() + ".slow(long)")
                .hasMessageEndingWith("(the deadline inherited from the call being served)");
        assertThat(seenDeadline.get()).isBetween(before + 500, before + 1_500);
        assertThat(nestedFailedAt.join() - before).as("the nested call gave up at its caller's deadline, not after 30 s")
                .isLessThan(5_000);
        assertThat(front.relay(0)).isEqualTo("back");
    }

    @Test
    void aRequestWhoseDeadlinePassedInTheQueueIsNotExecuted() throws Exception {
        java.util.concurrent.atomic.AtomicInteger executed = new java.util.concurrent.atomic.AtomicInteger();
        io.rpcboot.core.metrics.RpcMetrics serverMetrics = io.rpcboot.core.metrics.RpcMetrics.simple();
        fixture.server(io.rpcboot.core.server.ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
                .workerThreads(1).queueCapacity(10), b -> b.metrics(serverMetrics).service(Echo.class, new NamedEcho("q", 0) {
            @Override
            public String whoAmI() {
                executed.incrementAndGet();
                return super.whoAmI();
            }
        }));
        Echo echo = fixture.client().create(Echo.class);
        Echo impatient = fixture.client().create(ReferenceConfig.builder(Echo.class).timeout(Duration.ofMillis(100)).build());
        CompletableFuture<String> blocker = echo.slowAsync(0); // warm the connection
        blocker.join();
        CompletableFuture<String> occupying = CompletableFuture.supplyAsync(() -> echo.slow(800));
        org.awaitility.Awaitility.await().until(() -> serverMetrics.registry().find("rpc.server.inflight").gauge() != null
                && serverMetrics.registry().find("rpc.server.inflight").gauge().value() >= 1);
        assertThatExceptionOfType(RpcTimeoutException.class).isThrownBy(impatient::whoAmI);
        occupying.join();
        org.awaitility.Awaitility.await().until(() -> serverMetrics.registry().get("rpc.server.rejected")
                .tag("reason", "deadline").counter().count() == 1);
        assertThat(executed).hasValue(0);
    }

    @Test
    void aCallWhoseConnectHangsStillEndsAtItsDeadline() throws Exception {
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
            RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1).connectTimeout(Duration.ofSeconds(20)));
            Echo echo = client.create(ReferenceConfig.builder(Echo.class).timeout(Duration.ofMillis(300))
                    .urls(java.util.List.of("127.0.0.1:" + port)).build());
            long before = System.currentTimeMillis();
            assertThatExceptionOfType(RpcTimeoutException.class).isThrownBy(echo::whoAmI)
                    .withMessageEndingWith("timed out after 300 ms");
            assertThat(System.currentTimeMillis() - before).as("the 20 s connect timeout did not hold the call")
                    .isLessThan(5_000);
            CompletableFuture<String> async = echo.slowAsync(0);
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
