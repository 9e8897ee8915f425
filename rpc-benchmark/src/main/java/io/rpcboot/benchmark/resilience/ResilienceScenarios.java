package io.rpcboot.benchmark.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.micrometer.core.instrument.Counter;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RetryBudget;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.server.ConcurrencyLimit;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.HdrHistogram.Histogram;

/**
 * The resilience scenarios of docs/benchmarks.md, each on real servers on 127.0.0.1, bounded in
 * calls and time: a black-holing and a slow provider among healthy ones, a rate limit under four
 * times its rate, an adaptive concurrency limit at four times a provider's capacity, and a failing
 * idempotent service whose retries the retry budget bounds. {@link #main} runs them all and prints
 * the figures; the tests of this module run them with the targets and the noise margins they state.
 */
public final class ResilienceScenarios {

    private ResilienceScenarios() {
    }

    /** The service every scenario calls. */
    public interface Stock {
        String level(String sku);

        CompletableFuture<String> levelAsync(String sku);
    }

    /** Answers at once, counting what it serves. */
    static class Healthy implements Stock {
        final AtomicInteger served = new AtomicInteger();

        @Override
        public String level(String sku) {
            served.incrementAndGet();
            return sku + ":7";
        }

        @Override
        public CompletableFuture<String> levelAsync(String sku) {
            return CompletableFuture.completedFuture(level(sku));
        }
    }

    /** Takes every call and never answers (until the scenario ends). */
    static final class BlackHole extends Healthy {
        final CountDownLatch end = new CountDownLatch(1);

        @Override
        public String level(String sku) {
            served.incrementAndGet();
            try {
                end.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "late";
        }
    }

    /** Answers every call after {@code millis}. */
    static final class Slow extends Healthy {
        private final long millis;

        Slow(long millis) {
            this.millis = millis;
        }

        @Override
        public String level(String sku) {
            served.incrementAndGet();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
            return sku + ":slow";
        }
    }

    /**
     * A provider with a fixed capacity: {@code permits} calls at a time, each taking {@code millis};
     * further calls wait for a permit, as calls to a saturated database would.
     */
    static final class Saturable extends Healthy {
        private final Semaphore permits;
        private final long millis;

        Saturable(int permits, long millis) {
            this.permits = new Semaphore(permits);
            this.millis = millis;
        }

        @Override
        public String level(String sku) {
            permits.acquireUninterruptibly();
            try {
                served.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
                return sku;
            } finally {
                permits.release();
            }
        }

        @Override
        public CompletableFuture<String> levelAsync(String sku) {
            return CompletableFuture.completedFuture(level(sku));
        }
    }

    static RpcServer server(ServerConfig.Builder config, Stock impl) {
        return RpcServer.builder().config(config.host("127.0.0.1").port(0).build()).service(Stock.class, impl).start();
    }

    static String url(RpcServer server) {
        return "127.0.0.1:" + server.port();
    }

    /** Latencies and failures of a batch of calls. */
    public record Batch(int calls, int failures, long p50Micros, long p99Micros) {
        double successRate() {
            return (calls - failures) / (double) calls;
        }
    }

    /** {@code calls} synchronous calls shared by {@code callers} threads. */
    static Batch drive(Stock stock, int calls, int callers) {
        AtomicInteger tickets = new AtomicInteger(calls);
        AtomicInteger failures = new AtomicInteger();
        List<CompletableFuture<Histogram>> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            threads.add(CompletableFuture.supplyAsync(() -> {
                Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
                while (tickets.getAndDecrement() > 0) {
                    long t0 = System.nanoTime();
                    try {
                        stock.level("sku");
                        h.recordValue(System.nanoTime() - t0);
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                }
                return h;
            }, r -> new Thread(r, "caller").start()));
        }
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
        threads.forEach(f -> all.add(f.join()));
        return new Batch(calls, failures.get(), all.getValueAtPercentile(50) / 1000, all.getValueAtPercentile(99) / 1000);
    }

    /** Calls for {@code d} from {@code callers} threads, results dropped: the first second of a scenario. */
    static void driveFor(Stock stock, Duration d, int callers) {
        long end = System.nanoTime() + d.toNanos();
        List<CompletableFuture<Void>> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            threads.add(CompletableFuture.runAsync(() -> {
                while (System.nanoTime() - end < 0) {
                    try {
                        stock.level("warm");
                    } catch (RuntimeException e) {
                        // the first second is not measured
                    }
                }
            }, r -> new Thread(r, "warm-up").start()));
        }
        threads.forEach(CompletableFuture::join);
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * Three providers (healthy, black hole, 2 s), timeout 300 ms, an idempotent reference, the
     * client's defaults otherwise: after the first second, each round sends {@code calls} calls to
     * the three and to the healthy one alone.
     *
     * @param mixed  the rounds across the three (after the first second)
     * @param alone  the rounds to the healthy provider alone
     */
    public record BlackHoleResult(List<Batch> mixed, List<Batch> alone, int holeCalls, int slowCalls, double ejections) {
        public long mixedP99() {
            return median(mixed.stream().map(Batch::p99Micros).toList());
        }

        public long aloneP99() {
            return median(alone.stream().map(Batch::p99Micros).toList());
        }

        public double worstSuccessRate() {
            return mixed.stream().mapToDouble(Batch::successRate).min().orElse(0);
        }
    }

    public static BlackHoleResult blackHoleAndSlow(int calls, int callers, int rounds) {
        Healthy healthy = new Healthy();
        BlackHole hole = new BlackHole();
        Slow slow = new Slow(2000);
        RpcServer h = server(ServerConfig.builder(), healthy);
        RpcServer b = server(ServerConfig.builder(), hole);
        RpcServer s = server(ServerConfig.builder(), slow);
        RpcMetrics metrics = RpcMetrics.simple();
        try (RpcClient three = RpcClient.builder().config(ClientConfig.builder().ioThreads(1).build()).metrics(metrics).build();
             RpcClient one = RpcClient.builder().config(ClientConfig.builder().ioThreads(1).build()).build()) {
            Stock mixed = three.create(ReferenceConfig.builder(Stock.class).idempotent(true).retries(2)
                    .timeout(Duration.ofMillis(300)).urls(List.of(url(h), url(b), url(s))).build());
            Stock alone = one.create(ReferenceConfig.builder(Stock.class).idempotent(true).retries(2)
                    .timeout(Duration.ofMillis(300)).urls(List.of(url(h))).build());
            driveFor(mixed, Duration.ofSeconds(1), callers);
            driveFor(alone, Duration.ofSeconds(1), callers);
            List<Batch> m = new ArrayList<>();
            List<Batch> a = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                a.add(drive(alone, calls, callers));
                m.add(drive(mixed, calls, callers));
            }
            return new BlackHoleResult(m, a, hole.served.get(), slow.served.get(),
                    metrics.registry().get("rpc.client.ejections").counter().count());
        } finally {
            hole.end.countDown();
            for (RpcServer server : List.of(h, b, s)) {
                server.stop(Duration.ofSeconds(1));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * @param served     calls the limited provider served
     * @param sent       calls sent
     * @param overloaded calls that failed OVERLOADED
     * @param otherFailures calls that failed otherwise
     * @param seconds    how long the load ran
     */
    public record RateResult(double limit, int sent, int served, int servedElsewhere, int overloaded, int otherFailures,
                             double seconds) {
        public double servedPerSecond() {
            return served / seconds;
        }
    }

    /**
     * A method limited to {@code perSecond} under {@code loadFactor} times that rate, open loop, for
     * {@code duration}; with {@code another}, a second, unlimited instance takes the refused calls
     * (with a retry budget that allows one retry a call: with the default budget, the budget wins).
     */
    public static RateResult rateLimit(double perSecond, double loadFactor, Duration duration, boolean another) {
        Healthy limited = new Healthy();
        Healthy open = new Healthy();
        RpcServer l = server(ServerConfig.builder().rateLimit(Stock.class, "levelAsync", perSecond), limited);
        RpcServer o = another ? server(ServerConfig.builder(), open) : null;
        ClientConfig.Builder config = ClientConfig.builder().ioThreads(1);
        if (another) {
            config.retryBudget(new RetryBudget(1.0, 10, Duration.ofSeconds(10)));
        }
        try (RpcClient client = RpcClient.builder().config(config.build()).build()) {
            Stock stock = client.create(ReferenceConfig.builder(Stock.class).timeout(Duration.ofSeconds(2))
                    .urls(o == null ? List.of(url(l)) : List.of(url(l), url(o))).build());
            stock.levelAsync("warm").exceptionally(e -> null).join();
            int before = limited.served.get();
            int beforeOpen = open.served.get();
            double rate = perSecond * loadFactor * (another ? 2 : 1); // round-robin: half goes to each
            AtomicInteger overloaded = new AtomicInteger();
            AtomicInteger other = new AtomicInteger();
            List<CompletableFuture<?>> calls = new ArrayList<>();
            long interval = (long) (1e9 / rate);
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            int sent = 0;
            for (long next = start; next - end < 0; next += interval) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                sent++;
                calls.add(stock.levelAsync("sku").whenComplete((v, e) -> {
                    if (e != null) {
                        Throwable c = e.getCause() != null ? e.getCause() : e;
                        if (c instanceof RpcRemoteException r && r.status() == RpcStatus.OVERLOADED
                                || c.getCause() instanceof RpcRemoteException r2 && r2.status() == RpcStatus.OVERLOADED) {
                            overloaded.incrementAndGet();
                        } else {
                            other.incrementAndGet();
                        }
                    }
                }));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
            return new RateResult(perSecond, sent, limited.served.get() - before, open.served.get() - beforeOpen,
                    overloaded.get(), other.get(), seconds);
        } finally {
            l.stop(Duration.ofSeconds(1));
            if (o != null) {
                o.stop(Duration.ofSeconds(1));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * @param unloaded latency of calls at half the provider's capacity
     * @param admitted latency of the calls served at {@code loadFactor} times its capacity
     * @param refusedP99Micros how long a refused call took to fail, p99
     */
    public record ConcurrencyResult(Batch unloaded, Batch admitted, int refused, long refusedP99Micros, int sent) {
    }

    /**
     * A provider that serves {@code permits} calls at a time, {@code millis} each, with the adaptive
     * concurrency limit on (or off, for comparison): open-loop load at half its capacity, then at
     * {@code loadFactor} times it (the first second of that unmeasured, while the limit adapts).
     */
    public static ConcurrencyResult concurrencyLimit(int permits, long millis, double loadFactor, Duration measured,
                                                     boolean limitOn) {
        Saturable provider = new Saturable(permits, millis);
        RpcServer server = server(ServerConfig.builder().workerThreads(64).queueCapacity(10_000)
                .concurrencyLimit(limitOn ? ConcurrencyLimit.DEFAULT : null), provider);
        try (RpcClient client = RpcClient.builder().config(ClientConfig.builder().ioThreads(1).build()).build()) {
            Stock stock = client.create(ReferenceConfig.builder(Stock.class).timeout(Duration.ofSeconds(10))
                    .urls(List.of(url(server))).build());
            double capacity = permits * 1000.0 / millis;
            open(stock, capacity / 2, Duration.ofSeconds(1));
            OpenLoop unloaded = open(stock, capacity / 2, measured);
            open(stock, capacity * loadFactor, Duration.ofSeconds(1));
            OpenLoop loaded = open(stock, capacity * loadFactor, measured);
            return new ConcurrencyResult(unloaded.ok(), loaded.ok(), loaded.failed,
                    loaded.failedLatency.getValueAtPercentile(99) / 1000, loaded.sent);
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }

    /** The outcome of an open-loop run: latency of successes and of failures. */
    record OpenLoop(Histogram okLatency, Histogram failedLatency, int sent, int failed) {
        Batch ok() {
            return new Batch((int) okLatency.getTotalCount(), 0, okLatency.getValueAtPercentile(50) / 1000,
                    okLatency.getValueAtPercentile(99) / 1000);
        }
    }

    /** Sends asynchronous calls at {@code rate} a second for {@code d}, whatever the answers, and waits for them all. */
    static OpenLoop open(Stock stock, double rate, Duration d) {
        Histogram ok = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
        Histogram failed = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
        List<CompletableFuture<?>> calls = new ArrayList<>();
        long interval = (long) (1e9 / rate);
        long start = System.nanoTime();
        long end = start + d.toNanos();
        int sent = 0;
        AtomicInteger failures = new AtomicInteger();
        for (long next = start; next - end < 0; next += interval) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            sent++;
            long t0 = System.nanoTime();
            calls.add(stock.levelAsync("sku").whenComplete((v, e) -> {
                long nanos = System.nanoTime() - t0;
                if (e == null) {
                    synchronized (ok) {
                        ok.recordValue(nanos);
                    }
                } else {
                    failures.incrementAndGet();
                    synchronized (failed) {
                        failed.recordValue(nanos);
                    }
                }
            }));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        return new OpenLoop(ok, failed, sent, failures.get());
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * @param calls       calls made
     * @param reached     tries the provider got
     * @param allowed     the most retries the budget allows for those calls
     * @param unbudgeted  the tries the references' settings alone would have sent
     */
    public record BudgetResult(int calls, int reached, long allowed, int unbudgeted, double refused) {
        public int retries() {
            return reached - calls;
        }
    }

    /**
     * An idempotent service (2 retries, three instances) whose every call fails INTERNAL, under {@code callers}
     * callers for {@code calls} calls, with the default retry budget (20% of calls plus 10 a second
     * over 10 s).
     */
    public static BudgetResult retryBudget(int calls, int callers) {
        Healthy failing = new Healthy();
        List<RpcServer> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // retries go to another instance: three, all failing
            servers.add(RpcServer.builder().config(ServerConfig.builder().host("127.0.0.1").port(0).build())
                    .service(Stock.class, failing).interceptor(chain -> chain.proceed().thenApply(v -> 42)).start());
        }
        RpcMetrics metrics = RpcMetrics.simple();
        try (RpcClient client = RpcClient.builder().config(ClientConfig.builder().ioThreads(1).build()).metrics(metrics)
                .build()) {
            Stock stock = client.create(ReferenceConfig.builder(Stock.class).idempotent(true).retries(2)
                    .urls(servers.stream().map(ResilienceScenarios::url).toList()).build());
            long start = System.nanoTime();
            drive(stock, calls, callers);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + 1;
            RetryBudget b = RetryBudget.DEFAULT;
            long windows = (seconds + b.window().toSeconds() - 1) / b.window().toSeconds();
            long allowed = (long) Math.floor(b.ratio() * calls) + (long) b.minPerSecond() * b.window().toSeconds() * windows;
            double refused = metrics.registry().get("rpc.client.retries").tag("result", "budget_exhausted").counters()
                    .stream().mapToDouble(Counter::count).sum();
            return new BudgetResult(calls, failing.served.get(), allowed, calls * 3, refused);
        } finally {
            servers.forEach(s -> s.stop(Duration.ofSeconds(1)));
        }
    }

    /** Runs every scenario once with the sizes of docs/benchmarks.md and prints the figures. */
    public static void main(String[] args) {
        BlackHoleResult bh = blackHoleAndSlow(5_000, 8, 3);
        System.out.printf("black hole + slow: success %.4f (worst round), p99 %d us vs alone %d us (%.2fx); hole got %d,"
                + " slow got %d, ejections %.0f%n", bh.worstSuccessRate(), bh.mixedP99(), bh.aloneP99(),
                bh.mixedP99() / (double) bh.aloneP99(), bh.holeCalls(), bh.slowCalls(), bh.ejections());
        RateResult rate = rateLimit(200, 4, Duration.ofSeconds(10), false);
        System.out.printf("rate limit 200/s at 4x: served %.1f/s (%.2f%% off), %d sent, %d OVERLOADED, %d other%n",
                rate.servedPerSecond(), 100 * (rate.servedPerSecond() / 200 - 1), rate.sent(), rate.overloaded(),
                rate.otherFailures());
        RateResult elsewhere = rateLimit(200, 4, Duration.ofSeconds(10), true);
        System.out.printf("rate limit 200/s at 4x, another instance: limited served %.1f/s, other %d, failures %d%n",
                elsewhere.servedPerSecond(), elsewhere.servedElsewhere(), elsewhere.overloaded() + elsewhere.otherFailures());
        for (boolean on : new boolean[] {true, false}) {
            ConcurrencyResult c = concurrencyLimit(4, 20, 4, Duration.ofSeconds(3), on);
            System.out.printf("concurrency limit %s at 4x capacity: admitted p50 %d us, p99 %d us vs unloaded %d us (%.2fx);"
                    + " %d of %d refused, p99 %d us%n", on ? "on" : "off", c.admitted().p50Micros(), c.admitted().p99Micros(), c.unloaded().p99Micros(),
                    c.admitted().p99Micros() / (double) c.unloaded().p99Micros(), c.refused(), c.sent(), c.refusedP99Micros());
        }
        BudgetResult budget = retryBudget(4_000, 8);
        System.out.printf("retry budget: %d calls, %d retries sent (allowed %d; without a budget %d tries), %.0f refused%n",
                budget.calls(), budget.retries(), budget.allowed(), budget.unbudgeted(), budget.refused());
    }
}
