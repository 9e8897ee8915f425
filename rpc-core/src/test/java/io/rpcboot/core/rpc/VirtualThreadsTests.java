package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.internal.threads.VirtualThreads;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.server.ExecutionMode;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The worker pool on virtual threads ({@code ServerConfig.virtualThreads}). These tests need Java 21
 * or later: the build runs them in a JVM of its own ({@code rpc-core/pom.xml}, the
 * {@code virtual-threads} execution, on the Temurin JDK of the build machine; alone:
 * {@code mvn -pl rpc-core test-compile surefire:test@virtual-threads}); the Java 17 refusal is held
 * by {@code ServerConfigVirtualThreadsTests}.
 */
@Timeout(60)
class VirtualThreadsTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    @BeforeAll
    static void needsJava21() {
        assertThat(VirtualThreads.SUPPORTED).as("run on Java 21 or later, this is Java %s", Runtime.version().feature())
                .isTrue();
    }

    public interface Probe {
        /** The serving thread's name, and whether it is virtual. */
        String where();

        /** Blocks until the test lets it go. */
        String hold();

        String fast(int i);
    }

    static final class Probes implements Probe {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger holding = new AtomicInteger();

        @Override
        public String where() {
            return Thread.currentThread().getName() + " virtual=" + VirtualThreads.current();
        }

        @Override
        public String hold() {
            holding.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "held";
        }

        @Override
        public String fast(int i) {
            return "fast " + i;
        }
    }

    private static ServerConfig.Builder virtual(int workers) {
        return ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1).workerThreads(workers).virtualThreads(true);
    }

    @Test
    void poolMethodsRunOnVirtualThreads() {
        fixture.server(virtual(8).executionMode(ExecutionMode.POOL), b -> b.service(Probe.class, new Probes()));
        Probe probe = fixture.client().create(Probe.class);
        for (int i = 0; i < 50; i++) {
            assertThat(probe.where()).startsWith("rpc-vworker-").endsWith("virtual=true");
        }
    }

    @Test
    void pastTheWorkersAndTheQueueCallsAreAnsweredOverloadedAtOnce() throws Exception {
        Probes probes = new Probes();
        RpcMetrics metrics = RpcMetrics.simple();
        fixture.server(virtual(4).queueCapacity(2).executionMode(ExecutionMode.POOL),
                b -> b.metrics(metrics).service(Probe.class, probes));
        Probe probe = fixture.client(ClientConfig.builder().ioThreads(1).retries(0)).create(Probe.class);
        ExecutorService callers = Executors.newFixedThreadPool(6);
        try {
            List<CompletableFuture<String>> held = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                held.add(CompletableFuture.supplyAsync(probe::hold, callers));
            }
            // four run (and hold their workers), two wait for one of them: six calls in the server
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> metrics.registry().get("rpc.server.inflight").gauge().value() == 6);
            assertThat(probes.holding).as("the queued two wait, they do not run").hasValue(4);

            // workers and queue are full: the seventh call is refused at once
            // (the client, with its only instance refusing, says so with the server's answer)
            assertThatExceptionOfType(RpcException.class).isThrownBy(probe::hold)
                    .withMessageContaining("OVERLOADED (the server's worker pool is full)");
            assertThat(metrics.registry().get("rpc.server.rejected").tag("reason", "overloaded").counter().count())
                    .isEqualTo(1);

            probes.release.countDown();
            assertThat(held).allSatisfy(f -> assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo("held"));
            assertThat(probes.holding).as("the queued calls ran once workers were free").hasValue(6);
            assertThat(probe.where()).as("the workers are free again").endsWith("virtual=true");
        } finally {
            probes.release.countDown();
            callers.shutdownNow();
        }
    }

    @Test
    void aCallerOnAVirtualThreadParksInsteadOfReadingItsConnection() throws Exception {
        Probes probes = new Probes();
        fixture.server(virtual(8), b -> b.service(Probe.class, probes));
        Probe probe = fixture.client(ClientConfig.builder().ioThreads(1).connectionsPerEndpoint(1)).create(Probe.class);
        assertThat(probe.fast(0)).isEqualTo("fast 0");
        CompletableFuture<String> answer = new CompletableFuture<>();
        Thread caller = VirtualThreads.factory("virtual-caller-").newThread(() -> {
            try {
                answer.complete(probe.hold());
            } catch (Throwable t) {
                answer.completeExceptionally(t);
            }
        });
        caller.start();
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> probes.holding.get() == 1
                    && Arrays.stream(caller.getStackTrace()).anyMatch(e -> e.getMethodName().startsWith("park"))
                    && Arrays.stream(caller.getStackTrace()).anyMatch(e -> e.getClassName().endsWith(".ParkedCaller")
                            && e.getMethodName().equals("await")));
            // alone on its connection, a platform thread would wait in a selector of its own; a virtual
            // thread parks (a selector would hold its carrier) and the loop reads for it
            assertThat(caller.getStackTrace()).noneMatch(e -> e.getMethodName().equals("readUntilAnswered"));
        } finally {
            probes.release.countDown();
        }
        assertThat(answer.get(20, TimeUnit.SECONDS)).isEqualTo("held");
    }

    @Test
    void blockedMethodsDoNotStallFastOnesInTheDefaultExecution() throws Exception {
        Probes probes = new Probes();
        fixture.server(virtual(64), b -> b.service(Probe.class, probes)); // adaptive: new methods start on the workers
        Probe probe = fixture.client().create(Probe.class);
        ExecutorService callers = Executors.newFixedThreadPool(16);
        try {
            List<CompletableFuture<String>> held = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                held.add(CompletableFuture.supplyAsync(probe::hold, callers));
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> probes.holding.get() == 16);

            // sixteen calls block their virtual threads (no carrier is held); fast calls go on meanwhile
            for (int i = 0; i < 2_000; i++) {
                assertThat(probe.fast(i)).isEqualTo("fast " + i);
            }
            assertThat(held).noneMatch(CompletableFuture::isDone);

            probes.release.countDown();
            assertThat(held).allSatisfy(f -> assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo("held"));
        } finally {
            probes.release.countDown();
            callers.shutdownNow();
        }
    }
}
