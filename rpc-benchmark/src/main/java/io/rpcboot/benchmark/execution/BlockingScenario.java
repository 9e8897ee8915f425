package io.rpcboot.benchmark.execution;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.HdrHistogram.Histogram;

/**
 * A provider method that blocks for a second beside a fast one, in the server's default execution
 * ({@code adaptive}: the worker pool, and the I/O loop for the fast method once it has shown it is
 * fast): the fast method's latency at C=64, alone and while callers keep the slow one
 * busy, in the same run. The slow method is called for the first time during the measured window,
 * and a third method is fast but blocks now and then. {@link #main} prints the figures; the test of
 * this module holds the ratio with the repeat policy it states. With {@code -Dbench.virtual=true}
 * (Java 21 or later) the worker pool runs on virtual threads.
 */
public final class BlockingScenario {

    private BlockingScenario() {
    }

    /** The service: one fast method, one that blocks, one that mostly does not. */
    public interface Catalog {
        String fast(String id);

        String slow(String id);

        String sometimesSlow(String id);
    }

    static final class Impl implements Catalog {
        final AtomicInteger sometimes = new AtomicInteger();

        @Override
        public String fast(String id) {
            return id;
        }

        @Override
        public String slow(String id) {
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            return id;
        }

        @Override
        public String sometimesSlow(String id) {
            if (sometimes.incrementAndGet() % 100 == 0) { // one call in a hundred blocks for 200 ms
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
            return id;
        }
    }

    /** The fast method's latency, alone and beside the blocking callers. */
    public record Result(long aloneP99Micros, long besideP99Micros, long aloneP50Micros, long besideP50Micros,
                         int fastCalls, int slowCalls, int failures) {
        public double ratio() {
            return besideP99Micros / (double) aloneP99Micros;
        }
    }

    /**
     * @param fastCallers callers of the fast method (64)
     * @param slowCallers callers of the blocking methods while the fast one is measured
     */
    public static Result run(int fastCallers, int slowCallers, Duration window) {
        Impl impl = new Impl();
        // -Dbench.virtual=true: the worker pool on virtual threads (Java 21 or later)
        RpcServer server = RpcServer.builder().config(ServerConfig.builder().host("127.0.0.1").port(0)
                        .virtualThreads(Boolean.getBoolean("bench.virtual")).build())
                .service(Catalog.class, impl).start();
        try (RpcClient client = RpcClient.builder().config(ClientConfig.builder().build()).build()) {
            Catalog catalog = client.create(ReferenceConfig.builder(Catalog.class).timeout(Duration.ofSeconds(5))
                    .urls(List.of("127.0.0.1:" + server.port())).build());
            AtomicInteger failures = new AtomicInteger();
            measure(catalog, fastCallers, Duration.ofSeconds(1), failures); // warm-up
            Histogram alone = measure(catalog, fastCallers, window, failures);
            AtomicBoolean blocking = new AtomicBoolean(true);
            AtomicInteger slowCalls = new AtomicInteger();
            List<CompletableFuture<Void>> slow = new ArrayList<>();
            for (int i = 0; i < slowCallers; i++) {
                boolean always = i % 2 == 0;
                slow.add(CompletableFuture.runAsync(() -> {
                    while (blocking.get()) {
                        try {
                            if (always) {
                                catalog.slow("s");
                            } else {
                                catalog.sometimesSlow("s");
                            }
                            slowCalls.incrementAndGet();
                        } catch (RuntimeException e) {
                            failures.incrementAndGet();
                        }
                    }
                }, r -> new Thread(r, "blocking-caller").start()));
            }
            Histogram beside = measure(catalog, fastCallers, window, failures);
            blocking.set(false);
            slow.forEach(CompletableFuture::join);
            return new Result(alone.getValueAtPercentile(99) / 1000, beside.getValueAtPercentile(99) / 1000,
                    alone.getValueAtPercentile(50) / 1000, beside.getValueAtPercentile(50) / 1000,
                    (int) (alone.getTotalCount() + beside.getTotalCount()), slowCalls.get(), failures.get());
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    private static Histogram measure(Catalog catalog, int callers, Duration window, AtomicInteger failures) {
        long end = System.nanoTime() + window.toNanos();
        List<CompletableFuture<Histogram>> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            threads.add(CompletableFuture.supplyAsync(() -> {
                Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
                while (System.nanoTime() - end < 0) {
                    long t0 = System.nanoTime();
                    try {
                        catalog.fast("f");
                        h.recordValue(System.nanoTime() - t0);
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                }
                return h;
            }, r -> new Thread(r, "fast-caller").start()));
        }
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
        threads.forEach(f -> all.add(f.join()));
        return all;
    }

    public static void main(String[] args) {
        for (int round = 0; round < 3; round++) {
            Result r = run(64, 16, Duration.ofSeconds(3));
            System.out.printf("blocking beside fast, default execution" + (Boolean.getBoolean("bench.virtual")
                    ? ", virtual workers" : "") + ": fast p50 %d -> %d us, p99 %d -> %d us (%.2fx);"
                    + " %d fast calls, %d blocking calls, %d failures%n", r.aloneP50Micros(), r.besideP50Micros(),
                    r.aloneP99Micros(), r.besideP99Micros(), r.ratio(), r.fastCalls(), r.slowCalls(), r.failures());
        }
    }
}
