package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.RpcException;
import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RetryBudget;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A synchronous caller whose call is the only one in flight on its connection reads the connection
 * itself (no wake-up by the client's loop). These tests hold the ways that can go wrong: callers
 * taking turns at reading while others send, a reading caller whose connection closes under it, and
 * one that is interrupted. A lost hand-over would show as a call that waits for its deadline.
 */
@Timeout(120)
class CallerReadsTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    interface Gate {
        byte[] echo(byte[] payload);

        CompletableFuture<byte[]> echoAsync(byte[] payload);

        /** Blocks until the test lets it go. */
        String hold(String who);
    }

    static final class HeldGate implements Gate {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);

        public byte[] echo(byte[] payload) {
            return payload;
        }

        public CompletableFuture<byte[]> echoAsync(byte[] payload) {
            return CompletableFuture.completedFuture(payload);
        }

        public String hold(String who) {
            entered.countDown();
            try {
                released.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return who;
        }
    }

    /** One loop, one connection: every caller shares it, so reading passes between them and the loop. */
    private static ClientConfig.Builder oneConnection(Duration timeout) {
        return ClientConfig.builder().ioThreads(1).connectionsPerEndpoint(1).timeout(timeout);
    }

    @Test
    void callersTakingTurnsAtReadingOneConnectionAllGetTheirOwnAnswers() {
        fixture.server(b -> b.service(Gate.class, new HeldGate()));
        RpcClient client = fixture.client(oneConnection(Duration.ofSeconds(20)));
        Gate gate = client.create(Gate.class);
        AtomicInteger mismatches = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        List<CompletableFuture<Void>> callers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long seed = t;
            callers.add(CompletableFuture.runAsync(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                for (int i = 0; i < 3000; i++) {
                    // now and then a body that takes several reads, and an asynchronous call whose
                    // answer a reading caller or the loop completes
                    byte[] payload = new byte[1 + random.nextInt(random.nextInt(16) == 0 ? 40_000 : 200)];
                    random.nextBytes(payload);
                    byte[] answer = i % 5 == 0 ? gate.echoAsync(payload).join() : gate.echo(payload);
                    if (!Arrays.equals(answer, payload)) {
                        mismatches.incrementAndGet();
                    }
                    calls.incrementAndGet();
                }
            }, r -> new Thread(r, "caller-" + seed).start()));
        }
        callers.forEach(CompletableFuture::join); // a lost hand-over fails its caller with a timeout here

        assertThat(calls).hasValue(12_000);
        assertThat(mismatches).hasValue(0);
        assertThat(client.inFlight()).isZero();
    }

    @Test
    void aRetrySentFromInsideACallersReadIsAnswered() {
        RateLimitTests.Counting limited = new RateLimitTests.Counting();
        RateLimitTests.Counting open = new RateLimitTests.Counting();
        fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).rateLimit(RateLimitTests.Counter.class, 1),
                b -> b.service(RateLimitTests.Counter.class, limited));
        fixture.server(b -> b.service(RateLimitTests.Counter.class, open));
        // round-robin: every other call reaches the limited instance, is refused OVERLOADED there, and
        // is sent again, to the other instance, by the thread that read the refusal: often the caller
        RpcClient client = fixture.client(oneConnection(Duration.ofSeconds(3))
                .retryBudget(new RetryBudget(1.0, 10, Duration.ofSeconds(10))));
        RateLimitTests.Counter counter = client.create(RateLimitTests.Counter.class);
        for (int i = 0; i < 400; i++) {
            counter.next(); // a retry nobody reads would fail here with a time-out
        }
        assertThat(limited.served.get() + open.served.get()).isEqualTo(400);
        assertThat(open.served.get()).isGreaterThan(limited.served.get());
    }

    @Test
    void aLoneCallerReadsItsOwnResponse() throws Exception {
        HeldGate held = new HeldGate();
        fixture.server(b -> b.service(Gate.class, held));
        RpcClient client = fixture.client(oneConnection(Duration.ofSeconds(60)));
        Gate gate = client.create(Gate.class);
        gate.echo(new byte[1]); // connected

        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread caller = callInBackground("lone-caller", () -> assertThat(gate.hold("me")).isEqualTo("me"), failure);
        assertThat(held.entered.await(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> readsItsConnection(caller));
        held.released.countDown();

        assertThat(failure.get(30, TimeUnit.SECONDS)).as("the call's answer, checked on its thread").isNull();
    }

    @Test
    void aReadingCallerIsToldAtOnceWhenItsConnectionCloses() throws Exception {
        HeldGate held = new HeldGate();
        RpcServer server = fixture.server(b -> b.service(Gate.class, held));
        RpcClient client = fixture.client(oneConnection(Duration.ofSeconds(60)));
        Gate gate = client.create(Gate.class);
        gate.echo(new byte[1]);

        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread caller = callInBackground("reading-caller", () -> gate.hold("me"), failure);
        assertThat(held.entered.await(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> readsItsConnection(caller));
        try {
            server.stop(Duration.ZERO); // the reading caller reads the end of the stream itself
            // told well before its 60 s deadline, and not as a time-out
            assertThat(failure.get(30, TimeUnit.SECONDS)).isInstanceOf(RpcException.class)
                    .isNotInstanceOf(RpcTimeoutException.class);
        } finally {
            held.released.countDown();
        }
    }

    @Test
    void aReadingCallerThatIsInterruptedStopsWaiting() throws Exception {
        HeldGate held = new HeldGate();
        fixture.server(b -> b.service(Gate.class, held));
        RpcClient client = fixture.client(oneConnection(Duration.ofSeconds(60)));
        Gate gate = client.create(Gate.class);
        gate.echo(new byte[1]);

        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread caller = callInBackground("interrupted-caller", () -> {
            try {
                gate.hold("me");
            } finally {
                stillInterrupted.complete(Thread.currentThread().isInterrupted());
            }
        }, failure);
        assertThat(held.entered.await(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> readsItsConnection(caller));
        caller.interrupt();
        try {
            assertThat(failure.get(30, TimeUnit.SECONDS)).isInstanceOf(RpcException.class)
                    .hasMessageContaining("interrupted");
            assertThat(stillInterrupted.get(30, TimeUnit.SECONDS)).as("the interrupt is kept for the caller").isTrue();
        } finally {
            held.released.countDown();
        }
        // the connection goes on serving: the loop reads it again
        assertThat(gate.echo(new byte[] {7})).containsExactly(7);
    }

    @Test
    void aDrainNoticeOnAConnectionLeftIdleByACallersReadIsReadPromptly() throws Exception {
        RpcServer server = fixture.server(b -> b.service(Gate.class, new HeldGate()));
        // nothing on the client's loop wakes it on its own for a minute: no heartbeat, no frame check
        RpcClient client = fixture.client(oneConnection(Duration.ofSeconds(60))
                .heartbeatInterval(Duration.ofMinutes(2)).idleConnectionTimeout(Duration.ofMinutes(5))
                .peerLimits(PeerLimits.builder().frameTimeout(Duration.ofMinutes(4)).build()));
        // a fixed address: the registry's news of the stop must not be what wakes the client
        Gate gate = client.create(ReferenceConfig.builder(Gate.class).urls(List.of("127.0.0.1:" + server.port())).build());
        for (int i = 0; i < 500; i++) {
            assertThat(gate.echo(new byte[] {(byte) i})).containsExactly((byte) i); // read by this caller itself
        }

        // the provider says it drains, then waits for its clients to close their connections (up to
        // a minute): the client must read that notice on a connection nobody is calling on
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(60)));
        await().atMost(Duration.ofSeconds(20)).until(stopped::isDone);
        stopped.join();
        assertThat(client.poolStats().values()).allSatisfy(p -> assertThat(p.connections()).isZero());
    }

    @Test
    void heartbeatsOnAConnectionLeftIdleByACallersReadAreAnswered() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        fixture.server(new RpcMetrics(meters), b -> b.service(Gate.class, new HeldGate()));
        RpcClient client = fixture.client(oneConnection(Duration.ofSeconds(30)).heartbeatInterval(Duration.ofMillis(100)));
        Gate gate = client.create(Gate.class);
        gate.echo(new byte[1]);
        double before = serverBytesReceived(meters);

        // the line is quiet: the client probes it every 100 ms, and closes it if a probe goes unanswered
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(() -> serverBytesReceived(meters) > before);
        double heartbeat = serverBytesReceived(meters) - before;
        await().atMost(Duration.ofSeconds(20)).until(() -> serverBytesReceived(meters) >= before + 8 * heartbeat);

        assertThat(gate.echo(new byte[] {9})).containsExactly(9);
        assertThat(client.poolStats().values()).singleElement()
                .satisfies(p -> assertThat(p.created()).as("the first connection still serves").isEqualTo(1));
    }

    private static double serverBytesReceived(SimpleMeterRegistry meters) {
        return meters.get("rpc.io.received").tag("side", "server").counter().count();
    }

    /** Starts a thread that makes the call; {@code failure} gets what it threw, or null. */
    private static Thread callInBackground(String name, Runnable call, CompletableFuture<Throwable> failure) {
        Thread caller = new Thread(() -> {
            try {
                call.run();
                failure.complete(null);
            } catch (Throwable t) {
                failure.complete(t);
            }
        }, name);
        caller.start();
        return caller;
    }

    /** Whether the thread waits in the client's own-response read (not parked for the loop to wake it). */
    private static boolean readsItsConnection(Thread caller) {
        return Arrays.stream(caller.getStackTrace()).anyMatch(e -> e.getMethodName().equals("readUntilAnswered"));
    }
}
