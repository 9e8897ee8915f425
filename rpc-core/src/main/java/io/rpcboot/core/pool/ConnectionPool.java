package io.rpcboot.core.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded pool of connections of type {@code T} to one endpoint.
 *
 * <pre>
 *  acquire ─► least-loaded connection with a free lease ─► validate ─► lease it
 *           └ none, and size < maxSize ─► reserve a slot, create outside the lock
 *           └ none, pool full ─► wait on "available" until released, evicted or timed out
 *  release ─► one lease fewer; signal "available"
 * </pre>
 *
 * <p>Thread-safe: state is guarded by one {@link ReentrantLock}; waiters park on its
 * {@code available} {@link Condition}. The factory's {@code create} and {@code destroy} run outside
 * the lock (they may block); {@code validate} runs under it and must be cheap. Time comes from an
 * injectable clock; {@link #evictIdle(long)} returns when it is next worth calling.
 */
public final class ConnectionPool<T> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

    /** Creates, checks and destroys the pooled connections. */
    public interface Factory<T> {
        /** Opens a connection; may block (connect). */
        T create() throws Exception;

        /** Whether {@code connection} is still usable; cheap, called under the pool's lock. */
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
    // all guarded by lock
    private final List<Entry<T>> entries = new ArrayList<>();
    private int pendingCreates;
    private int waiting;
    private boolean closed;
    private long created;
    private long destroyed;
    private long acquired;
    private long timeouts;
    private long validationFailures;

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
     * @throws InterruptedException  if interrupted while waiting
     */
    public T acquire(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = nanoClock.getAsLong() + unit.toNanos(timeout);
        List<T> invalid = new ArrayList<>(0);
        lock.lockInterruptibly();
        try {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("connection pool " + name + " is closed");
                }
                T leased = leaseExisting(invalid);
                if (leased != null) {
                    return leased;
                }
                if (entries.size() + pendingCreates < config.maxSize()) {
                    pendingCreates++;
                    break;
                }
                long remaining = deadline - nanoClock.getAsLong();
                if (remaining <= 0) {
                    timeouts++;
                    throw new PoolTimeoutException("timed out after " + unit.toMillis(timeout)
                            + " ms waiting for a connection from pool " + name + " (" + entries.size() + " of "
                            + config.maxSize() + " connections, all " + config.maxLeases() + " leases taken, "
                            + waiting + " other callers waiting)");
                }
                waiting++;
                try {
                    available.awaitNanos(remaining);
                } finally {
                    waiting--;
                }
            }
        } finally {
            lock.unlock();
            destroyAll(invalid);
        }
        return createLeased();
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

    /** A lease on an open connection if one has a free lease now; never creates, never waits. */
    public @Nullable T tryAcquire() {
        List<T> invalid = new ArrayList<>(0);
        lock.lock();
        try {
            return closed ? null : leaseExisting(invalid);
        } finally {
            lock.unlock();
            destroyAll(invalid);
        }
    }

    /** Under the lock: the least-leased valid connection with a free lease, leased; invalid ones are set aside. */
    private @Nullable T leaseExisting(List<T> invalid) {
        while (true) {
            Entry<T> best = null;
            for (Entry<T> e : entries) {
                if (e.leases < config.maxLeases() && (best == null || e.leases < best.leases)) {
                    best = e;
                }
            }
            if (best == null) {
                return null;
            }
            if (config.validateOnAcquire() && !factory.validate(best.connection)) {
                validationFailures++;
                destroyed++;
                entries.remove(best);
                invalid.add(best.connection);
                available.signal(); // a slot for a new connection
                continue;
            }
            best.leases++;
            acquired++;
            return best.connection;
        }
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
            if (closed) {
                destroyed++;
            } else {
                Entry<T> e = new Entry<>(connection);
                e.leases = 1;
                entries.add(e);
                created++;
                acquired++;
                return connection;
            }
        } finally {
            lock.unlock();
        }
        factory.destroy(connection);
        throw new IllegalStateException("connection pool " + name + " closed while a connection was being opened");
    }

    /** Gives back one lease on {@code connection}. A connection no longer in the pool is ignored. */
    public void release(T connection) {
        lock.lock();
        try {
            Entry<T> e = find(connection);
            if (e != null && e.leases > 0) {
                e.leases--;
                if (e.leases == 0) {
                    e.idleSince = nanoClock.getAsLong();
                }
                available.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Removes and destroys {@code connection} (found broken); its leases are void. */
    public void invalidate(T connection) {
        boolean removed;
        lock.lock();
        try {
            Entry<T> e = find(connection);
            removed = e != null && entries.remove(e);
            if (removed) {
                destroyed++;
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
            for (var it = entries.iterator(); it.hasNext(); ) {
                Entry<T> e = it.next();
                if (e.leases > 0) {
                    continue;
                }
                long idleFor = nowNanos - e.idleSince;
                if (idleFor >= timeout) {
                    it.remove();
                    destroyed++;
                    evicted.add(e.connection);
                } else {
                    next = Math.min(next, timeout - idleFor);
                }
            }
            if (!evicted.isEmpty()) {
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
        lock.lock();
        try {
            int leased = 0;
            int leases = 0;
            for (Entry<T> e : entries) {
                leases += e.leases;
                if (e.leases > 0) {
                    leased++;
                }
            }
            return new Stats(entries.size(), leased, entries.size() - leased, leases, waiting, created, destroyed,
                    acquired, timeouts, validationFailures);
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of the pooled connections. */
    public List<T> connections() {
        lock.lock();
        try {
            List<T> all = new ArrayList<>(entries.size());
            for (Entry<T> e : entries) {
                all.add(e.connection);
            }
            return all;
        } finally {
            lock.unlock();
        }
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
                all.add(e.connection);
            }
            destroyed += entries.size();
            entries.clear();
            available.signalAll();
        } finally {
            lock.unlock();
        }
        destroyAll(all);
    }

    private void destroyAll(List<T> connections) {
        for (T c : connections) {
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

    @Override
    public String toString() {
        return "ConnectionPool[" + name + ", " + stats() + "]";
    }

    private static final class Entry<T> {
        final T connection;
        int leases; // guarded by the pool's lock
        long idleSince; // guarded by the pool's lock

        Entry(T connection) {
            this.connection = connection;
        }
    }
}
