package io.rpcboot.core.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.internal.reactor.EventLoop;

/**
 * A {@link CallClock} whose time moves only when a test calls {@link #forward}, after gRPC's
 * {@code FakeClock}: deadlines are tested without waiting, and which of two deadlines comes first
 * is decided by the test, not by the scheduler of a busy machine.
 *
 * <p>{@link #forward} runs the timers that fall due on the calling (test) thread, in deadline order
 * (ties in the order they were scheduled), then wakes every thread parked in {@link #parkUntil} so
 * that it looks at the new time. Wall-clock time starts at the given epoch milliseconds (by default
 * the real time at creation) and moves with the monotonic time. Thread-safe.
 */
public final class FakeClock implements CallClock {

    private final Object lock = new Object();
    private final long startNanos = 1_000_000_000_000L; // arbitrary, as System.nanoTime's origin is
    private final long startMillis;
    private volatile long nanos = startNanos;
    // @GuardedBy("lock")
    private final PriorityQueue<Task> timers = new PriorityQueue<>();
    // @GuardedBy("lock")
    private long sequence;
    private final Set<Thread> parked = ConcurrentHashMap.newKeySet();

    public FakeClock() {
        this(System.currentTimeMillis());
    }

    /** A clock whose wall-clock time starts at {@code epochMillis}. */
    public FakeClock(long epochMillis) {
        this.startMillis = epochMillis;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public long currentTimeMillis() {
        return startMillis + (nanos - startNanos) / 1_000_000;
    }

    @Override
    public Timer schedule(EventLoop loop, long delayNanos, Runnable task) {
        synchronized (lock) {
            Task t = new Task(nanos + Math.max(0, delayNanos), sequence++, task);
            timers.add(t);
            return t;
        }
    }

    @Override
    public void parkUntil(Object blocker, long deadlineNanos) {
        Thread me = Thread.currentThread();
        parked.add(me); // before reading the time: a forward after this read unparks us
        try {
            if (nanos - deadlineNanos < 0) {
                LockSupport.park(blocker);
            }
        } finally {
            parked.remove(me);
        }
    }

    /** Moves time forward, runs the timers now due (on this thread) and wakes the parked threads. */
    public void forward(Duration d) {
        List<Task> due = new ArrayList<>();
        synchronized (lock) {
            nanos += d.toNanos();
            while (!timers.isEmpty() && timers.peek().deadlineNanos - nanos <= 0) {
                due.add(timers.poll());
            }
        }
        for (Task t : due) {
            t.task.run();
        }
        for (Thread t : parked) {
            LockSupport.unpark(t);
        }
    }

    /** Timers scheduled and neither run nor cancelled. */
    public int pendingTimers() {
        synchronized (lock) {
            return timers.size();
        }
    }

    /** Threads waiting in {@link #parkUntil} for time to move. */
    public int parkedThreads() {
        return parked.size();
    }

    private final class Task implements Timer, Comparable<Task> {
        final long deadlineNanos;
        final long seq;
        final Runnable task;

        Task(long deadlineNanos, long seq, Runnable task) {
            this.deadlineNanos = deadlineNanos;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public boolean cancel() {
            synchronized (lock) {
                return timers.remove(this);
            }
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(deadlineNanos - startNanos, o.deadlineNanos - startNanos);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
