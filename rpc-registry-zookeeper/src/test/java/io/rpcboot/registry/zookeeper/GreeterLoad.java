package io.rpcboot.registry.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Callers that call {@link Greeter#whoAmI()} in a loop until closed, counting the answers by the name
 * of the instance that served them, keeping every failure and the longest call. Bounded by the test
 * that closes it; each caller is its own thread.
 */
final class GreeterLoad implements AutoCloseable {
    final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    final AtomicLong longestNanos = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<CompletableFuture<Void>> threads = new ArrayList<>();

    GreeterLoad(Greeter greeter, int callers) {
        for (int t = 0; t < callers; t++) {
            threads.add(CompletableFuture.runAsync(() -> {
                while (running.get()) {
                    long start = System.nanoTime();
                    try {
                        served.computeIfAbsent(greeter.whoAmI(), k -> new AtomicInteger()).incrementAndGet();
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                    longestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                }
            }, r -> new Thread(r).start()));
        }
    }

    int count(String name) {
        AtomicInteger n = served.get(name);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        running.set(false);
        threads.forEach(CompletableFuture::join);
    }
}
