package io.rpcboot.core.internal.reactor;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed set of {@link EventLoop}s, each running on its own thread, handed out round-robin.
 * Thread-safe. {@link #close()} stops every loop and waits for it to release its channels.
 */
public final class EventLoopGroup implements AutoCloseable {

    private final EventLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * Starts {@code size} loops on threads named {@code namePrefix-1 .. namePrefix-size}.
     *
     * @param daemon whether the loop threads are daemon threads (they do not keep the JVM alive)
     */
    public EventLoopGroup(String namePrefix, int size, boolean daemon) {
        if (size < 1) {
            throw new IllegalArgumentException("event loop group size must be >= 1, was " + size);
        }
        loops = new EventLoop[size];
        for (int i = 0; i < size; i++) {
            EventLoop loop = new EventLoop(namePrefix + "-" + (i + 1));
            loops[i] = loop;
            Thread thread = new Thread(loop::runUnlessStopped, loop.name());
            thread.setDaemon(daemon);
            thread.start();
        }
    }

    /** Non-daemon loops. */
    public EventLoopGroup(String namePrefix, int size) {
        this(namePrefix, size, false);
    }

    /** The next loop, round-robin. */
    public EventLoop next() {
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /** Whether the calling thread is one of this group's loops. Allocates nothing. */
    public boolean inEventLoop() {
        for (EventLoop loop : loops) {
            if (loop.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    public List<EventLoop> loops() {
        return List.of(loops);
    }

    /** {@link EventLoop#escapedFailures()} over every loop of the group. */
    public long escapedFailures() {
        long n = 0;
        for (EventLoop loop : loops()) {
            n += loop.escapedFailures();
        }
        return n;
    }

    public int size() {
        return loops.length;
    }

    /** Asks every loop to stop; returns at once. */
    public void shutdown() {
        for (EventLoop loop : loops) {
            loop.stop();
        }
    }

    /** Waits until every loop has terminated; true if all did within the timeout. */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (EventLoop loop : loops) {
            if (!loop.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    /** Stops every loop and waits up to 10 seconds for all of them to terminate. */
    @Override
    public void close() {
        shutdown();
        try {
            awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
