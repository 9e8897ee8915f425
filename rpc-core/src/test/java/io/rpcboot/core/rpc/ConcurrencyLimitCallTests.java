package io.rpcboot.core.rpc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.server.ConcurrencyLimit;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** Past a method's concurrency limit, calls are refused at once (OVERLOADED), never queued behind it. */
@Timeout(60)
class ConcurrencyLimitCallTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    public interface Gate {
        CompletableFuture<String> pass();
    }

    /** Holds every call until released, and remembers how many ran at once. */
    static final class HeldGate implements Gate {
        final CountDownLatch open = new CountDownLatch(1);
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();

        @Override
        public CompletableFuture<String> pass() {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            return CompletableFuture.supplyAsync(() -> {
                try {
                    open.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                running.decrementAndGet();
                return "passed";
            });
        }
    }

    @Test
    void callsPastTheLimitAreRefusedAtOnce() {
        HeldGate gate = new HeldGate();
        RpcMetrics metrics = RpcMetrics.simple();
        fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1).workerThreads(32)
                .concurrencyLimit(new ConcurrencyLimit(4, 2, 4, 1.5)), b -> b.metrics(metrics).service(Gate.class, gate));
        Gate client = fixture.client().create(Gate.class);
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(client.pass());
        }
        // the refused ones end while the admitted ones are still held
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> calls.stream().filter(CompletableFuture::isCompletedExceptionally).count() == 16);
        assertThat(calls.stream().filter(CompletableFuture::isCompletedExceptionally).map(f -> {
            try {
                f.join();
                return "";
            } catch (java.util.concurrent.CompletionException e) {
                return String.valueOf(e.getCause() instanceof RpcException r ? r.getMessage() : e);
            }
        })).allSatisfy(m -> assertThat(m).contains("concurrency limit"));
        assertThat(gate.mostAtOnce.get()).isEqualTo(4);
        gate.open.countDown();
        long passed = calls.stream().filter(f -> !f.isCompletedExceptionally()).map(CompletableFuture::join).count();
        assertThat(passed).isEqualTo(4);
        assertThat(metrics.registry().get("rpc.server.rejected").tag("reason", "concurrency_limited").counter().count())
                .isEqualTo(16);
    }
}
