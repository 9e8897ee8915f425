package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.rpcboot.core.RpcCircuitOpenException;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.MethodConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcCircuitBreakers;
import io.rpcboot.core.metrics.RpcMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** A reference's circuit breaker (Resilience4j's): it opens, fails fast, half-opens, closes; the fallback answers. */
@Timeout(60)
class CircuitBreakerTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    public interface Stock {
        int level(String sku);

        CompletableFuture<Integer> levelAsync(String sku);

        int reserve(String sku);
    }

    /** Counts the calls it gets; {@code reserve} throws a business exception. */
    static final class Warehouse implements Stock {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public int level(String sku) {
            calls.incrementAndGet();
            return 7;
        }

        @Override
        public CompletableFuture<Integer> levelAsync(String sku) {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(7);
        }

        @Override
        public int reserve(String sku) {
            calls.incrementAndGet();
            throw new IllegalStateException("out of " + sku);
        }
    }

    /** The fallback: a local answer. */
    static final class Cached implements Stock {
        @Override
        public int level(String sku) {
            return -1;
        }

        @Override
        public CompletableFuture<Integer> levelAsync(String sku) {
            return CompletableFuture.completedFuture(-1);
        }

        @Override
        public int reserve(String sku) {
            throw new UnsupportedOperationException("no reservations while the warehouse is away");
        }
    }

    private final Warehouse warehouse = new Warehouse();
    private final AtomicBoolean failing = new AtomicBoolean();

    /** A provider whose answers become INTERNAL (a result its serialization cannot write) while {@link #failing}. */
    private void provider() {
        fixture.server(b -> b.service(Stock.class, warehouse).interceptor(chain -> failing.get()
                ? chain.proceed().thenApply(v -> "not an int") : chain.proceed()));
    }

    private static CircuitBreaker breaker(String name) {
        return CircuitBreaker.of(name, RpcCircuitBreakers.config(Duration.ofMillis(300)).slidingWindowSize(10)
                .minimumNumberOfCalls(10).failureRateThreshold(50)
                .permittedNumberOfCallsInHalfOpenState(2).build());
    }

    @Test
    void opensAfterTheConfiguredFailuresFailsFastHalfOpensAndClosesOnSuccess() {
        provider();
        RpcMetrics metrics = RpcMetrics.simple();
        CircuitBreaker breaker = breaker("stock");
        Stock stock = fixture.client(ClientConfig.builder().ioThreads(1), metrics)
                .create(ReferenceConfig.builder(Stock.class).circuitBreaker(breaker).build());
        assertThat(stock.level("a")).isEqualTo(7);
        failing.set(true);
        for (int i = 0; i < 9; i++) {
            assertThat(catchThrowable(() -> stock.level("a"))).isInstanceOf(RpcRemoteException.class);
        }
        assertThat(breaker.getState()).as("9 of 10 failed").isEqualTo(CircuitBreaker.State.OPEN);

        int reached = warehouse.calls.get();
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> stock.level("a"));
            nanos.add(System.nanoTime() - t0);
            assertThat(t).isInstanceOfSatisfying(RpcCircuitOpenException.class, e -> {
                assertThat(e.breaker()).isEqualTo("stock");
                assertThat(e).hasMessageContaining("circuit breaker 'stock' is OPEN").hasMessageContaining("Stock.level");
            });
            if (breaker.getState() != CircuitBreaker.State.OPEN) {
                break; // the wait is over on a slow machine: the rest of the test covers half-open
            }
        }
        assertThat(warehouse.calls.get()).as("no call left while open").isEqualTo(reached);
        Collections.sort(nanos);
        assertThat(nanos.get(nanos.size() / 2)).as("median time to refuse, ns (well under 1 ms)")
                .isLessThan(Duration.ofMillis(1).toNanos());
        assertThat(metrics.registry().get("rpc.client.requests").tag("status", "CIRCUIT_OPEN").timer().count())
                .isEqualTo(nanos.size());

        failing.set(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try {
                return stock.level("a") == 7; // the first call past the wait half-opens the breaker
            } catch (RpcCircuitOpenException e) {
                return false;
            }
        });
        assertThat(stock.level("a")).isEqualTo(7);
        assertThat(breaker.getState()).as("2 trial calls went well").isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aProvidersOwnExceptionNeverOpensTheBreaker() {
        provider();
        CircuitBreaker breaker = breaker("reserve");
        Stock stock = fixture.client(ClientConfig.builder().ioThreads(1))
                .create(ReferenceConfig.builder(Stock.class).circuitBreaker(breaker).build());
        for (int i = 0; i < 30; i++) {
            assertThat(catchThrowable(() -> stock.reserve("a"))).isInstanceOfSatisfying(RpcRemoteException.class,
                    e -> assertThat(e.status()).isEqualTo(RpcStatus.SERVICE_ERROR));
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void theFallbackAnswersWhileTheBreakerIsOpenSyncAndAsyncButNotForAProvidersException() {
        provider();
        RpcMetrics metrics = RpcMetrics.simple();
        CircuitBreaker breaker = breaker("fallback");
        Stock stock = fixture.client(ClientConfig.builder().ioThreads(1), metrics)
                .create(ReferenceConfig.builder(Stock.class).circuitBreaker(breaker).fallback(new Cached()).build());
        failing.set(true);
        for (int i = 0; i < 10; i++) {
            assertThat(stock.level("a")).as("INTERNAL: the fallback answers").isEqualTo(-1);
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        int reached = warehouse.calls.get();
        assertThat(stock.level("a")).isEqualTo(-1);
        assertThat(stock.levelAsync("a").join()).isEqualTo(-1);
        assertThat(warehouse.calls.get()).isEqualTo(reached);
        assertThatThrownBy(() -> stock.reserve("a")).as("what the fallback throws, with the refusal added")
                .isInstanceOf(UnsupportedOperationException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).hasAtLeastOneElementOfType(RpcCircuitOpenException.class));
        assertThat(fallbacks(metrics, "circuit_open")).as("level, levelAsync, reserve").isEqualTo(3);
        assertThat(fallbacks(metrics, "failure")).isEqualTo(10);
    }

    private static double fallbacks(RpcMetrics metrics, String reason) {
        return metrics.registry().get("rpc.client.fallbacks").tag("reason", reason).counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    @Test
    void aMethodWithItsOwnBreakerOpensAloneAndTheOthersKeepCalling() {
        provider();
        CircuitBreaker shared = breaker("shared");
        CircuitBreaker own = breaker("own");
        Stock stock = fixture.client(ClientConfig.builder().ioThreads(1))
                .create(ReferenceConfig.builder(Stock.class).circuitBreaker(shared)
                        .method("levelAsync", MethodConfig.circuitBreaker(own)).build());
        failing.set(true);
        for (int i = 0; i < 10; i++) {
            assertThat(catchThrowable(() -> stock.levelAsync("a").join())).hasCauseInstanceOf(RpcRemoteException.class);
        }
        assertThat(own.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(shared.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(catchThrowable(() -> stock.levelAsync("a").join())).hasCauseInstanceOf(RpcCircuitOpenException.class);
        failing.set(false);
        assertThat(stock.level("a")).isEqualTo(7);
    }
}
