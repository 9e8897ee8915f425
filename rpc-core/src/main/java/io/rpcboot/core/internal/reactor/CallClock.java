package io.rpcboot.core.internal.reactor;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The time the call path reads, and the deadline timers it sets: the seam that lets a test move
 * time forward instead of waiting for it (in the spirit of gRPC's {@code Deadline.Ticker} and
 * {@code FakeClock}). Client and server find it in the resources they are given ({@code ResourceParts}); {@link #SYSTEM} unless a test passes its own.
 *
 * <p>Not API: public only so that the builders and rpc-core's own tests can pass one.
 *
 * <p>Every method may be called from any thread.
 */
public interface CallClock {

    /** {@link System#nanoTime()}, {@link System#currentTimeMillis()}, the event loops' timers, {@link LockSupport}. */
    CallClock SYSTEM = new CallClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public Timer schedule(EventLoop loop, long delayNanos, Runnable task) {
            return loop.schedule(delayNanos, TimeUnit.NANOSECONDS, task);
        }

        @Override
        public void parkUntil(Object blocker, long deadlineNanos) {
            LockSupport.parkNanos(blocker, deadlineNanos - System.nanoTime());
        }

        @Override
        public String toString() {
            return "CallClock.SYSTEM";
        }
    };

    /** Monotonic time for measuring intervals and deadlines, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Wall-clock time, as {@link System#currentTimeMillis()}: deadlines travel on the wire in epoch milliseconds. */
    long currentTimeMillis();

    /**
     * Runs {@code task} once, {@code delayNanos} from now: the system clock runs it on {@code loop};
     * a test clock runs it on the thread that moves its time past the deadline.
     *
     * @throws RejectedExecutionException if the loop is stopped
     */
    Timer schedule(EventLoop loop, long delayNanos, Runnable task);

    /**
     * Parks the calling thread until {@link #nanoTime()} reaches {@code deadlineNanos}, it is
     * unparked, or it is interrupted; it may also return early for no reason, as
     * {@link LockSupport#parkNanos} may, so callers check their condition again.
     */
    void parkUntil(Object blocker, long deadlineNanos);

    /** A scheduled task. */
    interface Timer {
        /** Prevents the task from running; true if this call did (it had not run and was not cancelled). */
        boolean cancel();
    }
}
