package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.server.ExecutionMode;
import io.rpcboot.core.server.RpcExecution;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The default execution over real sockets: methods start on the worker pool, a method whose runs stay
 * short moves to the I/O loop, one that blocks on the loop moves back, and one that blocks stays on
 * the pool. Each method answers with the name of the thread that ran it.
 */
@Timeout(120)
class AdaptiveExecutionCallTests {

    /** Calls a method may take to move: a window is 1,000; a noisy machine may spoil a few windows. */
    private static final int MAX_CALLS_TO_MOVE = 20_000;

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    public interface Where {
        String fast();

        String sometimes(boolean block);

        String blocking();

        String briefly();

        String sized(byte[] payload);

        /** Waits for {@link Threads#gate} when asked to, on whatever thread runs it. */
        String gated(boolean wait);
    }

    static class Threads implements Where {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);

        @Override
        public String gated(boolean wait) {
            if (wait) {
                entered.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Thread.currentThread().getName();
        }

        @Override
        public String fast() {
            return Thread.currentThread().getName();
        }

        @Override
        public String sometimes(boolean block) {
            TestServices.NamedEcho.pause(block ? 20 : 0);
            return Thread.currentThread().getName();
        }

        @Override
        public String blocking() {
            TestServices.NamedEcho.pause(3);
            return Thread.currentThread().getName();
        }

        @Override
        public String sized(byte[] payload) {
            return Thread.currentThread().getName();
        }

        /** Waits half a millisecond, as a quick database query does: fast by wall time, but blocked. */
        @Override
        public String briefly() {
            java.util.concurrent.locks.LockSupport.parkNanos(500_000);
            return Thread.currentThread().getName();
        }
    }

    /** Direct for the class, the pool for one method. */
    @RpcExecution(ExecutionMode.DIRECT)
    static class Annotated extends Threads {
        @Override
        @RpcExecution(ExecutionMode.POOL)
        public String blocking() {
            return super.blocking();
        }
    }

    /** What a class-based proxy of {@link Annotated} looks like: a subclass that overrides without annotations. */
    static final class Proxied extends Annotated {
        @Override
        public String blocking() {
            return super.blocking();
        }

        @Override
        public String fast() {
            return super.fast();
        }
    }

    private static ServerConfig.Builder server() {
        return ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1).workerThreads(16);
    }

    private static Counter moves(RpcMetrics metrics, String method, String to) {
        return metrics.registry().get("rpc.server.execution.moves").tag("service", Where.class.getName())
                .tag("method", method).tag("to", to).counter();
    }

    @Test
    void aFastMethodMovesToTheLoopAndBackToThePoolTheFirstTimeItBlocksThere() {
        RpcMetrics metrics = RpcMetrics.simple();
        fixture.server(server(), b -> b.metrics(metrics).service(Where.class, new Threads()));
        Where where = fixture.client().create(Where.class);

        assertThat(where.fast()).as("a method never seen before").startsWith("rpc-worker-");
        int calls = 1;
        while (moves(metrics, "fast", "loop").count() == 0 && calls < MAX_CALLS_TO_MOVE) {
            where.fast();
            calls++;
        }
        assertThat(calls).as("calls before the move").isGreaterThanOrEqualTo(1000).isLessThan(MAX_CALLS_TO_MOVE);
        assertThat(where.fast()).startsWith("rpc-server-io-");

        calls = 0;
        while (moves(metrics, "sometimes", "loop").count() == 0 && calls < MAX_CALLS_TO_MOVE) {
            where.sometimes(false);
            calls++;
        }
        assertThat(where.sometimes(false)).startsWith("rpc-server-io-");
        assertThat(where.sometimes(true)).as("blocks once, on the loop").startsWith("rpc-server-io-");
        // counted once the run ended, which is after its answer was written
        await().atMost(Duration.ofSeconds(10)).until(() -> moves(metrics, "sometimes", "pool").count() == 1);
        assertThat(where.sometimes(false)).as("back on the pool, held off").startsWith("rpc-worker-");
        assertThat(where.fast()).as("the other method stays where it was").startsWith("rpc-server-io-");
        assertThat(moves(metrics, "fast", "pool").count()).isZero();
    }

    @Test
    void whileOneLoopIsHeldInAMethodTheOtherLoopSendsItsCallsToThePool() throws Exception {
        RpcMetrics metrics = RpcMetrics.simple();
        Threads provider = new Threads();
        fixture.server(server().ioThreads(2), b -> b.metrics(metrics).service(Where.class, provider));
        // one connection each, accepted round-robin: one on each server loop
        Where first = fixture.client(ClientConfig.builder().ioThreads(1).connectionsPerEndpoint(1)).create(Where.class);
        Where second = fixture.client(ClientConfig.builder().ioThreads(1).connectionsPerEndpoint(1)).create(Where.class);
        int calls = 0;
        while ((moves(metrics, "gated", "loop").count() == 0 || moves(metrics, "fast", "loop").count() == 0)
                && calls < MAX_CALLS_TO_MOVE) {
            first.gated(false);
            second.fast();
            calls++;
        }
        String firstLoop = first.gated(false);
        String secondLoop = second.gated(false);
        assertThat(firstLoop).startsWith("rpc-server-io-");
        assertThat(secondLoop).startsWith("rpc-server-io-").isNotEqualTo(firstLoop);

        CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> first.gated(true),
                r -> new Thread(r, "held-caller").start());
        assertThat(provider.entered.await(10, TimeUnit.SECONDS)).isTrue();
        // once the first loop has been in the method 20 ms, the second loop hands its calls to the pool
        await().atMost(Duration.ofSeconds(10)).until(() -> second.gated(false).startsWith("rpc-worker-"));
        assertThat(second.fast()).as("other methods stay where they were").isEqualTo(secondLoop);
        assertThat(held).isNotDone();

        provider.gate.countDown();
        assertThat(held.get(10, TimeUnit.SECONDS)).as("it ran on the loop it held")
                .isEqualTo(firstLoop);
        await().atMost(Duration.ofSeconds(10)).until(() -> moves(metrics, "gated", "pool").count() == 1);
        assertThat(second.gated(false)).startsWith("rpc-worker-");
        assertThat(first.gated(false)).startsWith("rpc-worker-");
    }

    @Test
    void aMethodThatBlocksStaysOnThePool() {
        RpcMetrics metrics = RpcMetrics.simple();
        fixture.server(server(), b -> b.metrics(metrics).service(Where.class, new Threads()));
        Where where = fixture.client().create(Where.class);
        List<CompletableFuture<List<String>>> callers = new ArrayList<>();
        for (int c = 0; c < 8; c++) { // 2 windows of 3 ms runs
            callers.add(CompletableFuture.supplyAsync(() -> {
                List<String> threads = new ArrayList<>();
                for (int i = 0; i < 250; i++) {
                    threads.add(where.blocking());
                }
                return threads;
            }, r -> new Thread(r, "caller").start()));
        }
        callers.forEach(f -> assertThat(f.join()).allSatisfy(t -> assertThat(t).startsWith("rpc-worker-")));
        assertThat(moves(metrics, "blocking", "loop").count()).isZero();
    }

    @Test
    void annotationsOnTheImplementationAreFoundPastAProxyAndConfigurationWinsOverThem() {
        RpcMetrics metrics = RpcMetrics.simple();
        fixture.server(server().execution(Where.class, "sometimes", ExecutionMode.POOL), b -> b.metrics(metrics)
                .service(Where.class, new Proxied()));
        Where where = fixture.client().create(Where.class);
        assertThat(where.fast()).as("the class's annotation, from the first call").startsWith("rpc-server-io-");
        assertThat(where.blocking()).as("the method's annotation").startsWith("rpc-worker-");
        assertThat(where.sometimes(false)).as("configured for the method").startsWith("rpc-worker-");
    }

    /** What a peer sends does not decide how long a loop works: a large body is decoded on the pool. */
    @Test
    void aLargeRequestToAMethodOnTheLoopRunsOnThePool() {
        RpcMetrics metrics = RpcMetrics.simple();
        fixture.server(server(), b -> b.metrics(metrics).service(Where.class, new Threads()));
        Where where = fixture.client().create(Where.class);
        byte[] small = new byte[100];
        int calls = 0;
        while (moves(metrics, "sized", "loop").count() == 0 && calls < MAX_CALLS_TO_MOVE) {
            where.sized(small);
            calls++;
        }
        assertThat(where.sized(small)).startsWith("rpc-server-io-");
        assertThat(where.sized(new byte[100 * 1024])).as("a 100 KiB body").startsWith("rpc-worker-");
        assertThat(where.sized(small)).as("still on the loop").startsWith("rpc-server-io-");
        assertThat(moves(metrics, "sized", "pool").count()).isZero();
    }

    /** Needs the run-queue time Linux counts per thread; elsewhere only 2 ms of wall time is seen. */
    @Test
    @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
    void aMethodThatBlocksBrieflyOnEveryCallStaysOnThePool() {
        RpcMetrics metrics = RpcMetrics.simple();
        fixture.server(server(), b -> b.metrics(metrics).service(Where.class, new Threads()));
        Where where = fixture.client().create(Where.class);
        for (int i = 0; i < 2500; i++) { // two and a half windows
            assertThat(where.briefly()).as("call %d", i).startsWith("rpc-worker-");
        }
        assertThat(moves(metrics, "briefly", "loop").count()).isZero();
    }

    @Test
    void aSettingPerServiceOrMethodWinsOverTheServersMode() {
        RpcMetrics metrics = RpcMetrics.simple();
        fixture.server(server().executionMode(ExecutionMode.DIRECT).execution(Where.class, ExecutionMode.POOL)
                .execution(Where.class, "sometimes", ExecutionMode.DIRECT), b -> b.metrics(metrics)
                .service(Where.class, new Threads()));
        Where where = fixture.client().create(Where.class);
        for (int i = 0; i < 1500; i++) {
            assertThat(where.fast()).as("call %d", i).startsWith("rpc-worker-");
        }
        assertThat(where.sometimes(false)).as("the first call").startsWith("rpc-server-io-");
        assertThat(where.sometimes(true)).startsWith("rpc-server-io-");
        assertThat(where.sometimes(false)).as("direct stays direct").startsWith("rpc-server-io-");
        assertThat(metrics.registry().find("rpc.server.execution.moves").counters()).isEmpty();
    }
}
