package io.rpcboot.core.rpc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Server-side rate limits: a limited method serves its rate and answers the rest OVERLOADED, which
 * clients send to another instance. Bounds are the limiter's own (rate x time + burst); the lower
 * bound allows 15% for a busy machine.
 */
@Timeout(60)
class RateLimitTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    public interface Counter {
        int next();

        int peek();
    }

    static final class Counting implements Counter {
        final AtomicInteger served = new AtomicInteger();

        @Override
        public int next() {
            return served.incrementAndGet();
        }

        @Override
        public int peek() {
            return served.get();
        }
    }

    private static ServerConfig.Builder server() {
        return ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1).workerThreads(8);
    }

    /** Callers that call until {@code millis} passed; returns the failures. */
    private static List<Throwable> hammer(Counter counter, int callers, long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        List<CompletableFuture<List<Throwable>>> all = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            all.add(CompletableFuture.supplyAsync(() -> {
                List<Throwable> failures = new ArrayList<>();
                while (System.nanoTime() - end < 0) {
                    try {
                        counter.next();
                    } catch (RpcException e) {
                        failures.add(e);
                    }
                }
                return failures;
            }, r -> new Thread(r, "caller").start()));
        }
        List<Throwable> failures = new ArrayList<>();
        all.forEach(f -> failures.addAll(f.join()));
        return failures;
    }

    @Test
    void aLimitedMethodServesItsRateAndRefusesTheRestOverloaded() {
        Counting impl = new Counting();
        RpcMetrics metrics = RpcMetrics.simple();
        fixture.server(server().rateLimit(Counter.class, "next", 100), b -> b.metrics(metrics).service(Counter.class, impl));
        Counter counter = fixture.client().create(Counter.class);
        long start = System.nanoTime();
        List<Throwable> failures = hammer(counter, 4, 2_000);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(impl.served.get()).as("served in %.2f s", seconds)
                .isLessThanOrEqualTo((int) (100 * seconds) + 10 + 1)
                .isGreaterThanOrEqualTo((int) (100 * seconds * 0.85));
        assertThat(failures).isNotEmpty().allSatisfy(f -> assertThat(f.getCause() != null ? f.getCause() : f)
                .isInstanceOfSatisfying(RpcRemoteException.class, r -> {
                    assertThat(r.status()).isEqualTo(RpcStatus.OVERLOADED);
                    assertThat(r.remoteMessage()).contains("is limited to 100.0 calls a second");
                }));
        assertThat(metrics.registry().get("rpc.server.rejected").tag("reason", "rate_limited").counter().count())
                .isPositive();
        assertThat(counter.peek()).as("another method of the service is not limited").isEqualTo(impl.served.get());
    }

    @Test
    void refusedCallsGoToAnotherInstance() {
        Counting limited = new Counting();
        Counting open = new Counting();
        fixture.server(server().rateLimit(Counter.class, 20), b -> b.service(Counter.class, limited));
        fixture.server(server(), b -> b.service(Counter.class, open));
        // round-robin sends half the calls to the limited instance: a budget that allows one resend a
        // call (the default 20% would refuse most of them, on purpose: the budget wins)
        Counter counter = fixture.client(io.rpcboot.core.client.ClientConfig.builder().ioThreads(2)
                .retryBudget(new io.rpcboot.core.client.RetryBudget(1.0, 10, java.time.Duration.ofSeconds(10))))
                .create(Counter.class);
        long start = System.nanoTime();
        List<Throwable> failures = hammer(counter, 2, 1_000);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(failures).as("every refused call went to the other instance").isEmpty();
        assertThat(limited.served.get()).isLessThanOrEqualTo((int) (20 * seconds) + 2 + 1);
        assertThat(open.served.get()).isGreaterThan(limited.served.get());
    }

    @Test
    void aLimitForAMethodTheServiceLacksIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> fixture.server(server().rateLimit(Counter.class, "nope", 5),
                        b -> b.service(Counter.class, new Counting())))
                .withMessageContaining("has no method nope").withMessageContaining("[next, peek]");
    }
}
