package io.rpcboot.core.internal.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import io.rpcboot.core.internal.GuardedBy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded pool of connections of type {@code T} to one endpoint.
 *
 * <pre>
 *  acquire ─► least-leased connection with a free lease ─► validate ─► take a lease (one CAS)
 *           └ none, and size < maxSize ─► reserve a slot, create outside the lock
 *           └ none, pool full ─► wait on "available" until released, evicted or timed out
 *  release ─► one lease fewer (one CAS); signal "available" only if someone waits
 * </pre>
 *
 * <p>Thread-safe. The hot path (a lease on an existing connection, and its release) takes no lock:
 * it reads an immutable snapshot of the connections and moves a lease counter with compare-and-set.
 * Membership changes (create, evict, invalidate, close) and waiting happen under one
 * {@link ReentrantLock}, and waiters park on its {@code available} {@link Condition}. A waiter counts
 * itself in {@code waiting} before it looks for a free lease, and a releaser frees its lease before
 * it looks at {@code waiting}, so a free lease is never missed. The factory's {@code create} and
 * {@code destroy} run outside the lock (they may block); {@code validate} must be cheap. Time comes
 * from an injectable clock; {@link #evictIdle(long)} returns when it is next worth calling.
 */
public final class ConnectionPool<T> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);
    private static final int REMOVED = -1;

    /** Creates, checks and destroys the pooled connections. */
    public interface Factory<T> {
        /** Opens a connection; may block (connect). */
        T create() throws Exception;

        /** Whether {@code connection} is still usable; cheap, called on the acquiring thread. */
        boolean validate(T connection);

        /** Closes {@code connection}; called once per connection, outside the lock. */
        void destroy(T connection);
    }

    /** Numbers at one instant. */
    public record Stats(int size, int leased, int idle, int leases, int waiting, long created, long destroyed,
                        long acquired, long timeouts, long validationFailures) {
    }

    private final String name;
    private final PoolConfig config;
    private final Factory<T> factory;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    /** The connections; replaced (never changed) under the lock, read without it. */
    private volatile List<Entry<T>> entries = List.of();
    @GuardedBy("lock")
    private volatile int waiting; // written under the lock, read without it by release()
    @GuardedBy("lock")
    private int pendingCreates;
    @GuardedBy("lock")
    private boolean closed;
    private final LongAdder created = new LongAdder();
    private final LongAdder destroyed = new LongAdder();
    private final LongAdder acquired = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder validationFailures = new LongAdder();

    public ConnectionPool(String name, PoolConfig config, Factory<T> factory) {
        this(name, config, factory, System::nanoTime);
    }

    public ConnectionPool(String name, PoolConfig config, Factory<T> factory, LongSupplier nanoClock) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = Objects.requireNonNull(config, "config");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * A lease on a connection, waiting up to {@code timeout} for one to become free.
     *
     * @throws PoolTimeoutException  if none did in time (the message gives the pool's numbers)
     * @throws PoolException         if creating a connection failed
     * @throws PoolClosedException   if the pool is closed, or closed while the connection was being opened
     * @throws InterruptedException  if interrupted while waiting
     */
    public T acquire(long timeout, TimeUnit unit) throws InterruptedException {
        T fast = tryAcquire();
        if (fast != null) {
            return fast;
        }
        long deadline = nanoClock.getAsLong() + unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            waiting++;
            try {
                while (true) {
                    if (closed) {
                        throw new PoolClosedException("connection pool " + name + " is closed");
                    }
                    T leased = tryAcquire();
                    if (leased != null) {
                        return leased;
                    }
                    if (entries.size() + pendingCreates < config.maxSize()) {
                        pendingCreates++;
                        break;
                    }
                    long remaining = deadline - nanoClock.getAsLong();
                    if (remaining <= 0) {
                        timeouts.increment();
                        throw new PoolTimeoutException("timed out after " + unit.toMillis(timeout)
                                + " ms waiting for a connection from pool " + name + " (" + entries.size() + " of "
                                + config.maxSize() + " connections, all " + config.maxLeases() + " leases taken, "
                                + (waiting - 1) + " other callers waiting)");
                    }
                    available.awaitNanos(remaining);
                }
            } finally {
                waiting--;
            }
        } finally {
            lock.unlock();
        }
        return createLeased();
    }

    /** A lease on an open connection if one has a free lease now; never creates, never waits, takes no lock. */
    public @Nullable T tryAcquire() {
        while (true) {
            Entry<T> best = null;
            int bestLeases = Integer.MAX_VALUE;
            List<Entry<T>> all = entries;
            for (int i = 0, size = all.size(); i < size; i++) { // no iterator: this runs on every call
                Entry<T> e = all.get(i);
                int n = e.leases.get();
                if (n >= 0 && n < config.maxLeases() && n < bestLeases) {
                    best = e;
                    bestLeases = n;
                }
            }
            if (best == null) {
                return null;
            }
            if (config.validateOnAcquire() && !factory.validate(best.connection)) {
                validationFailures.increment();
                invalidate(best.connection);
                continue;
            }
            if (best.leases.compareAndSet(bestLeases, bestLeases + 1)) {
                acquired.increment();
                return best.connection;
            }
            // another thread moved that counter first: look again
        }
    }

    /**
     * Opens one more connection without leasing it, if the pool has room; blocks while connecting.
     * Used to warm a pool up to its size in the background.
     *
     * @return whether a connection was added
     */
    public boolean grow() {
        lock.lock();
        try {
            if (closed || entries.size() + pendingCreates >= config.maxSize()) {
                return false;
            }
            pendingCreates++;
        } finally {
            lock.unlock();
        }
        T connection = createLeased();
        release(connection);
        return true;
    }

    private T createLeased() {
        T connection;
        try {
            connection = factory.create();
        } catch (Exception e) {
            lock.lock();
            try {
                pendingCreates--;
                available.signal();
            } finally {
                lock.unlock();
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new PoolException("cannot open a connection for pool " + name + ": " + e.getMessage(), e);
        }
        lock.lock();
        try {
            pendingCreates--;
            if (!closed) {
                Entry<T> e = new Entry<>(connection, 1, nanoClock.getAsLong());
                List<Entry<T>> next = new ArrayList<>(entries);
                next.add(e);
                entries = List.copyOf(next);
                created.increment();
                acquired.increment();
                if (waiting > 0) {
                    available.signalAll(); // a multiplexed connection has leases to spare for the waiters
                }
                return connection;
            }
        } finally {
            lock.unlock();
        }
        destroyed.increment();
        factory.destroy(connection);
        throw new PoolClosedException("connection pool " + name + " closed while a connection was being opened");
    }

    /** Gives back one lease on {@code connection}. A connection no longer in the pool is ignored. */
    public void release(T connection) {
        Entry<T> e = find(connection);
        if (e == null) {
            return;
        }
        e.idleSince = nanoClock.getAsLong(); // before the lease is freed, so eviction never sees a stale time
        while (true) {
            int n = e.leases.get();
            if (n <= 0) {
                return; // removed meanwhile, or not leased
            }
            if (e.leases.compareAndSet(n, n - 1)) {
                break;
            }
        }
        if (waiting > 0) {
            lock.lock();
            try {
                available.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Removes and destroys {@code connection} (found broken); its leases are void. */
    public void invalidate(T connection) {
        boolean removed = false;
        lock.lock();
        try {
            Entry<T> e = find(connection);
            if (e != null) {
                e.leases.set(REMOVED);
                entries = without(e);
                destroyed.increment();
                removed = true;
                available.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (removed) {
            safeDestroy(connection);
        }
    }

    /**
     * Closes connections without a lease for at least the idle timeout.
     *
     * @return nanoseconds until the next connection could become evictable (the idle timeout if none
     *         is idle now); 0 when eviction is off
     */
    public long evictIdle(long nowNanos) {
        long timeout = config.idleTimeout().toNanos();
        if (timeout == 0) {
            return 0;
        }
        List<T> evicted = new ArrayList<>();
        long next = timeout;
        lock.lock();
        try {
            List<Entry<T>> kept = new ArrayList<>();
            for (Entry<T> e : entries) {
                long idleFor = nowNanos - e.idleSince;
                if (e.leases.get() == 0 && idleFor >= timeout && e.leases.compareAndSet(0, REMOVED)) {
                    evicted.add(e.connection);
                    destroyed.increment();
                    continue;
                }
                if (e.leases.get() == 0) {
                    next = Math.min(next, Math.max(1, timeout - idleFor));
                }
                kept.add(e);
            }
            if (!evicted.isEmpty()) {
                entries = List.copyOf(kept);
                available.signalAll();
            }
        } finally {
            lock.unlock();
        }
        for (T c : evicted) {
            log.debug("pool {}: closing idle connection {}", name, c);
            safeDestroy(c);
        }
        return next;
    }

    public Stats stats() {
        int leased = 0;
        int leases = 0;
        List<Entry<T>> snapshot = entries;
        for (Entry<T> e : snapshot) {
            int n = Math.max(0, e.leases.get());
            leases += n;
            if (n > 0) {
                leased++;
            }
        }
        return new Stats(snapshot.size(), leased, snapshot.size() - leased, leases, waiting, created.sum(),
                destroyed.sum(), acquired.sum(), timeouts.sum(), validationFailures.sum());
    }

    /** A snapshot of the pooled connections. */
    public List<T> connections() {
        List<T> all = new ArrayList<>();
        for (Entry<T> e : entries) {
            all.add(e.connection);
        }
        return all;
    }

    public String name() {
        return name;
    }

    /** Destroys every connection and fails waiting and later acquires. Idempotent. */
    @Override
    public void close() {
        List<T> all = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Entry<T> e : entries) {
                e.leases.set(REMOVED);
                all.add(e.connection);
            }
            destroyed.add(entries.size());
            entries = List.of();
            available.signalAll();
        } finally {
            lock.unlock();
        }
        for (T c : all) {
            safeDestroy(c);
        }
    }

    private void safeDestroy(T connection) {
        try {
            factory.destroy(connection);
        } catch (RuntimeException e) {
            log.warn("pool {}: destroying {} failed", name, connection, e);
        }
    }

    private @Nullable Entry<T> find(T connection) {
        for (Entry<T> e : entries) {
            if (e.connection == connection) {
                return e;
            }
        }
        return null;
    }

    private List<Entry<T>> without(Entry<T> removed) {
        List<Entry<T>> next = new ArrayList<>(entries);
        next.remove(removed);
        return List.copyOf(next);
    }

    @Override
    public String toString() {
        return "ConnectionPool[" + name + ", " + stats() + "]";
    }

    private static final class Entry<T> {
        final T connection;
        /** Leases held; {@value #REMOVED} once the entry left the pool (no lease can be taken then). */
        final AtomicInteger leases;
        volatile long idleSince;

        Entry(T connection, int leases, long idleSince) {
            this.connection = connection;
            this.leases = new AtomicInteger(leases);
            this.idleSince = idleSince;
        }
    }
}
