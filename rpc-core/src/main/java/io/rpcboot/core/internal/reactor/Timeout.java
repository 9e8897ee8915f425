package io.rpcboot.core.internal.reactor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A task scheduled on an {@link EventLoop} to run once at a deadline. {@link #cancel()} may be called
 * from any thread; a cancelled timer never runs, and on the loop it is removed from the timer queue
 * at once so cancelled timers do not pile up.
 */
public final class Timeout implements CallClock.Timer {

    private static final VarHandle STATE;
    private static final int PENDING = 0;
    private static final int CANCELLED = 1;
    private static final int FIRED = 2;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Timeout.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventLoop loop;
    private final Runnable task;
    final long deadlineNanos;
    long sequence; // loop thread only: assigned when queued, breaks deadline ties
    int heapIndex = -1; // loop thread only: position in TimerQueue, -1 when not queued
    private volatile int state;

    Timeout(EventLoop loop, Runnable task, long deadlineNanos) {
        this.loop = loop;
        this.task = task;
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * Prevents the task from running. Returns true if this call cancelled it; false if it had already
     * run, been cancelled, or is running now.
     */
    @Override
    public boolean cancel() {
        if (!STATE.compareAndSet(this, PENDING, CANCELLED)) {
            return false;
        }
        loop.removeTimer(this);
        return true;
    }

    /** The deadline, on the {@link System#nanoTime()} scale. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    public boolean isCancelled() {
        return state == CANCELLED;
    }

    /** Whether the task has started running. */
    public boolean isExpired() {
        return state == FIRED;
    }

    /** Claims the timer for running; false if it was cancelled first. */
    boolean markFired() {
        return STATE.compareAndSet(this, PENDING, FIRED);
    }

    Runnable task() {
        return task;
    }

    /** Ordering in the queue: earlier deadline first, then earlier scheduling. */
    boolean before(Timeout other) {
        long d = deadlineNanos - other.deadlineNanos;
        return d < 0 || (d == 0 && sequence < other.sequence);
    }
}
