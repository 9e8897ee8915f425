package io.rpcboot.core.internal.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@Timeout(60)
class ConnectionPoolTests {

    /** A stand-in connection that knows whether two holders ever had it at once. */
    static final class Conn {
        final int id;
        final AtomicBoolean held = new AtomicBoolean();
        volatile boolean healthy = true;
        volatile boolean destroyed;

        Conn(int id) {
            this.id = id;
        }
    }

    static final class Factory implements ConnectionPool.Factory<Conn> {
        final AtomicInteger created = new AtomicInteger();
        final Set<Conn> destroyed = ConcurrentHashMap.newKeySet();
        volatile boolean failing;

        @Override
        public Conn create() throws Exception {
            if (failing) {
                throw new java.net.ConnectException("connection refused (test)");
            }
            return new Conn(created.incrementAndGet());
        }

        @Override
        public boolean validate(Conn c) {
            return c.healthy;
        }

        @Override
        public void destroy(Conn c) {
            c.destroyed = true;
            destroyed.add(c);
        }
    }

    private final Factory factory = new Factory();

    @Test
    void sixteenThreadsShareFourExclusiveConnectionsWithoutDoubleHandOut() throws Exception {
        ConnectionPool<Conn> pool = new ConnectionPool<>("test", new PoolConfig(4, 1, Duration.ZERO, true), factory);
        List<Conn> warm = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // open all four first, so that the contention is for leases only
            warm.add(pool.acquire(1, TimeUnit.SECONDS));
        }
        warm.forEach(pool::release);
        AtomicInteger doubleHandOuts = new AtomicInteger();
        AtomicInteger timedOut = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        List<CompletableFuture<Void>> threads = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < 16; t++) {
            threads.add(CompletableFuture.runAsync(() -> {
                await(start);
                for (int i = 0; i < 2_000; i++) {
                    Conn c;
                    try {
                        c = pool.acquire(i % 100 == 0 ? 0 : 50, TimeUnit.MILLISECONDS);
                    } catch (PoolTimeoutException e) {
                        timedOut.incrementAndGet();
                        continue;
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    if (!c.held.compareAndSet(false, true)) {
                        doubleHandOuts.incrementAndGet();
                    }
                    Thread.onSpinWait();
                    c.held.set(false);
                    served.incrementAndGet();
                    pool.release(c);
                }
            }, r -> new Thread(r).start()));
        }
        start.countDown();
        threads.forEach(CompletableFuture::join);

        assertThat(doubleHandOuts).hasValue(0);
        assertThat(served.get() + timedOut.get()).isEqualTo(16 * 2_000);
        ConnectionPool.Stats stats = pool.stats();
        assertThat(stats.size()).isEqualTo(4);
        assertThat(factory.created).hasValue(4);
        assertThat(stats.leases()).isZero();
        assertThat(stats.waiting()).isZero();
        assertThat(stats.acquired()).isEqualTo(served.get() + 4);
        assertThat(stats.timeouts()).isEqualTo(timedOut.get());
        pool.close();
        assertThat(factory.destroyed).hasSize(4);
    }

    @Test
    void acquireTimesOutWithTheNumbersInTheMessage() throws Exception {
        ConnectionPool<Conn> pool = new ConnectionPool<>("10.0.0.1:7070", new PoolConfig(1, 1, Duration.ZERO, false), factory);
        Conn held = pool.acquire(1, TimeUnit.SECONDS);
        assertThatExceptionOfType(PoolTimeoutException.class).isThrownBy(() -> pool.acquire(20, TimeUnit.MILLISECONDS))
                .withMessage("timed out after 20 ms waiting for a connection from pool 10.0.0.1:7070 (1 of 1 connections,"
                        + " all 1 leases taken, 0 other callers waiting)");
        pool.release(held);
        assertThat(pool.acquire(20, TimeUnit.MILLISECONDS)).isSameAs(held);
    }

    @Test
    void aWaiterGetsTheConnectionAsSoonAsItIsReleased() throws Exception {
        ConnectionPool<Conn> pool = new ConnectionPool<>("p", new PoolConfig(1, 1, Duration.ZERO, false), factory);
        Conn held = pool.acquire(1, TimeUnit.SECONDS);
        CompletableFuture<Conn> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return pool.acquire(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        org.awaitility.Awaitility.await().until(() -> pool.stats().waiting() == 1);
        pool.release(held);
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isSameAs(held);
    }

    @Test
    void multiplexedConnectionsCarrySeveralLeasesAndSpreadThem() throws Exception {
        ConnectionPool<Conn> pool = new ConnectionPool<>("p", new PoolConfig(2, 3, Duration.ZERO, false), factory);
        List<Conn> leases = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            leases.add(pool.acquire(1, TimeUnit.SECONDS));
        }
        assertThat(factory.created).hasValue(2);
        assertThat(leases.stream().filter(c -> c.id == 1).count()).isEqualTo(3);
        assertThat(pool.tryAcquire()).isNull();
        pool.release(leases.get(0));
        assertThat(pool.tryAcquire()).isNotNull();
        assertThat(pool.stats().leases()).isEqualTo(6);
    }

    @Test
    void idleConnectionsAreEvictedAfterTheIdleTimeout() throws Exception {
        AtomicLong now = new AtomicLong();
        ConnectionPool<Conn> pool = new ConnectionPool<>("p", new PoolConfig(2, 1, Duration.ofSeconds(30), false),
                factory, now::get);
        Conn a = pool.acquire(1, TimeUnit.SECONDS);
        Conn b = pool.acquire(1, TimeUnit.SECONDS);
        pool.release(a);
        now.addAndGet(Duration.ofSeconds(20).toNanos());
        pool.release(b);
        assertThat(pool.evictIdle(now.get())).isEqualTo(Duration.ofSeconds(10).toNanos());
        assertThat(pool.stats().size()).isEqualTo(2);

        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(pool.evictIdle(now.get())).isEqualTo(Duration.ofSeconds(20).toNanos());
        assertThat(a.destroyed).isTrue();
        assertThat(b.destroyed).isFalse();
        assertThat(pool.stats().size()).isEqualTo(1);
        assertThat(pool.stats().destroyed()).isEqualTo(1);
    }

    @Test
    void aConnectionThatFailsValidationIsReplaced() throws Exception {
        ConnectionPool<Conn> pool = new ConnectionPool<>("p", new PoolConfig(1, 1, Duration.ZERO, true), factory);
        Conn first = pool.acquire(1, TimeUnit.SECONDS);
        pool.release(first);
        first.healthy = false;
        Conn second = pool.acquire(1, TimeUnit.SECONDS);
        assertThat(second).isNotSameAs(first);
        assertThat(first.destroyed).isTrue();
        assertThat(pool.stats().validationFailures()).isEqualTo(1);
        assertThat(pool.stats().size()).isEqualTo(1);
    }

    @Test
    void aFailedCreateFreesItsSlotAndSaysWhy() {
        factory.failing = true;
        ConnectionPool<Conn> pool = new ConnectionPool<>("127.0.0.1:1", new PoolConfig(1, 1, Duration.ZERO, true), factory);
        assertThatExceptionOfType(PoolException.class).isThrownBy(() -> pool.acquire(1, TimeUnit.SECONDS))
                .withMessage("cannot open a connection for pool 127.0.0.1:1: connection refused (test)");
        factory.failing = false;
        assertThat(pool.tryAcquire()).isNull();
        assertThat(pool.stats().size()).isZero();
    }

    @Test
    void invalidConfigurationNamesTheSetting() {
        assertThatIllegalArgumentException().isThrownBy(() -> new PoolConfig(0, 1, Duration.ZERO, true))
                .withMessage("maxSize must be >= 1, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> new PoolConfig(1, 0, Duration.ZERO, true))
                .withMessage("maxLeases must be >= 1, was 0");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
