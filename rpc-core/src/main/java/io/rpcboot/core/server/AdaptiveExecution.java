package io.rpcboot.core.server;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one method runs under {@link ExecutionMode#ADAPTIVE}, learned from its runs (decoding, the
 * method, encoding and handing the answer over) as {@link RunClock} judges them: slow if they held
 * the thread 2 ms or more, or were blocked 200 µs or more, leaving out waits for a core and
 * collection pauses. Only runs that entered the method are judged.
 *
 * <pre>
 *   POOL ── 1,000 runs on the pool, at most 1 slow, and the hold-off over ──► LOOP
 *   LOOP ── a run that held the loop 20 ms, or a slow run within 100 runs of another
 *           ──► POOL, held off 1 s, 2 s, 4 s ... 5 min (doubling with each move)
 *   LOOP ── a run that held the loop 100 ms, or the fifth move back without an hour on the loop
 *           between two of them ──► POOL for good
 * </pre>
 *
 * A short slow run on the loop after 100 good ones is forgiven: a safepoint or a page fault looks
 * like one, and so do slow runs that overlapped the forgiven one (the same pause seen by two
 * loops). A method that blocks on every call (a database query) moves at its second call.
 *
 * The first calls of a method, and a method that blocks now and then (even once in a few hundred
 * calls), stay on the pool. A method that was fast for 1,000 calls and then blocks for 100 ms or
 * more holds one loop once, for one run, and then stays on the pool for good: the calls that loop
 * read meanwhile wait, while the other loops send this method's calls to the pool as soon as one
 * loop has been in it 20 ms. Shorter holds (20 to 100 ms) are what a machine's hiccups look like
 * too (a safepoint that is not a collection, a virtual CPU descheduled by its host), so they move
 * the method for a while, as short slow runs do; the fifth such move keeps it on the pool, unless
 * it had spent an hour on the loop since the move before. A request body over
 * {@link #LOOP_MAX_BODY}, or compressed, is run on the pool whatever the method's place. Only counts
 * and times are kept.
 */
final class AdaptiveExecution {

    private static final Logger log = LoggerFactory.getLogger(AdaptiveExecution.class);

    /** Runs on the pool in one window; a window with at most {@link #SLOW_ALLOWED} slow runs moves the method to the loop. */
    static final int WINDOW = 1000;
    /** Slow runs a window may have (a thread descheduled mid-run looks slow without being so). */
    static final int SLOW_ALLOWED = 1;
    static final long FIRST_HOLD_OFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long MAX_HOLD_OFF_NANOS = TimeUnit.MINUTES.toNanos(5);
    /**
     * A run on the loop that held it this long moves the method to the pool at once; while one loop
     * has been in the method this long, the other loops send its calls to the pool.
     */
    static final long LONG_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** A run on the loop that held it this long blocked: the method stays on the pool for good. */
    static final long BLOCKED_FOR_GOOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Moves back to the pool, each within {@link #FORGET_MOVES_NANOS} on the loop of the one before, that keep it there. */
    static final int MAX_MOVES_BACK = 5;
    /** Time on the loop after which earlier moves back are forgotten. */
    static final long FORGET_MOVES_NANOS = TimeUnit.HOURS.toNanos(1);
    /** {@link #loopRunSince} when no loop is known to be in the method. */
    private static final long NO_LOOP_RUN = Long.MIN_VALUE;
    private static final VarHandle LOOP_RUN_SINCE;

    static {
        try {
            LOOP_RUN_SINCE = MethodHandles.lookup().findVarHandle(AdaptiveExecution.class, "loopRunSince", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** Good runs on the loop that earn the forgiveness of one short slow run. */
    static final int FORGIVE_AFTER = 100;
    /**
     * Larger request bodies, and compressed ones, are decoded on the pool even for a method on the
     * loop: what a peer sends must not decide how long a loop is held.
     */
    static final int LOOP_MAX_BODY = 64 * 1024;

    private final String method;
    private final Counter toLoop;
    private final Counter toPool;
    /** Whether calls run on the I/O loop now. */
    private volatile boolean onLoop;
    /** Runs on the pool in the current window, and the slow ones among them. */
    private final AtomicInteger runs = new AtomicInteger();
    private final AtomicInteger slowRuns = new AtomicInteger();
    /** Before this (nanoTime) the method stays on the pool, whatever its run times. */
    private volatile long heldOffUntil = System.nanoTime();
    private long holdOff = FIRST_HOLD_OFF_NANOS; // under moving
    private int movesBack; // under moving
    private long movedToLoop; // under moving: when (nanoTime)
    /** Set once: the method stays on the pool. */
    private volatile boolean pinned;
    /**
     * When a run on a loop started (nanoTime), while it lasts; {@link #NO_LOOP_RUN} otherwise. With
     * two loops in the method at once only one may be seen: a mark is advisory, read and written
     * without a lock (opaque and release), and each run clears only its own.
     */
    @SuppressWarnings("unused") // through LOOP_RUN_SINCE
    private long loopRunSince = NO_LOOP_RUN;
    /** Good runs on the loop since the last slow one, counted up to {@link #FORGIVE_AFTER}. */
    private final AtomicInteger goodOnLoop = new AtomicInteger();
    /** When the last forgiven slow run on the loop ended (nanoTime). */
    private volatile long forgivenEnd = System.nanoTime() - TimeUnit.HOURS.toNanos(1); // none yet

    AdaptiveExecution(String method, Counter toLoop, Counter toPool) {
        this.method = method;
        this.toLoop = toLoop;
        this.toPool = toPool;
    }

    /** Whether the next call runs on the I/O loop. */
    boolean onLoop() {
        return onLoop;
    }

    /**
     * Whether a call with this request body runs on the I/O loop that read it: not while another
     * loop has been in this method {@link #LONG_NANOS} (it blocks there, or works long).
     */
    boolean onLoop(int bodyLength, boolean compressed) {
        return onLoop && bodyLength <= LOOP_MAX_BODY && !compressed && !anotherLoopHeldLong();
    }

    private boolean anotherLoopHeldLong() {
        long since = (long) LOOP_RUN_SINCE.getOpaque(this);
        return since != NO_LOOP_RUN && System.nanoTime() - since >= LONG_NANOS;
    }

    /** A run on the loop starts, timed from {@code since}; {@link #leftLoop} must follow. Loop thread. */
    void enteredLoop(long since) {
        LOOP_RUN_SINCE.setRelease(this, since);
    }

    /** The run that {@link #enteredLoop} began ended. Loop thread. */
    void leftLoop(long since) {
        if ((long) LOOP_RUN_SINCE.getOpaque(this) == since) {
            LOOP_RUN_SINCE.setRelease(this, NO_LOOP_RUN);
        }
    }

    /** Whether the method stays on the pool for good. */
    boolean pinned() {
        return pinned;
    }

    /** A run on the pool ended, slow or not; ends the window once it is full. Any worker thread. */
    void ranOnPool(boolean slow, long now) {
        if (onLoop || pinned) {
            return; // a call queued before the move, or a method on the pool for good
        }
        if (slow) {
            slowRuns.incrementAndGet();
        }
        if (runs.incrementAndGet() != WINDOW) {
            return;
        }
        // the one thread that completed the window judges it and opens the next
        int slowInWindow = slowRuns.getAndSet(0);
        boolean move = slowInWindow <= SLOW_ALLOWED && now - heldOffUntil >= 0 && !pinned;
        synchronized (this) { // before a move back can reset the counts
            runs.addAndGet(-WINDOW); // runs other threads counted meanwhile stay in the next window
            if (move) {
                goodOnLoop.set(FORGIVE_AFTER);
                movedToLoop = now;
                onLoop = true;
            }
        }
        if (move) {
            toLoop.increment();
            log.debug("{} runs on the I/O loop: {} of its last {} runs were slow", method, slowInWindow, WINDOW);
        }
    }

    /**
     * A run on the loop that started at {@code started} ended at {@code now}, having held it
     * {@code nanos}: a long one, or a slow one too soon after another, moves the method to the pool
     * for a while; one that held it {@link #BLOCKED_FOR_GOOD_NANOS}, or the {@link #MAX_MOVES_BACK}th
     * move, for good. Loop thread.
     */
    void ranOnLoop(boolean slow, long nanos, long started, long now) {
        if (!slow) {
            if (goodOnLoop.get() < FORGIVE_AFTER) { // only counts up to the threshold: no write per run after
                goodOnLoop.incrementAndGet();
            }
            return;
        }
        if (!onLoop) {
            return;
        }
        if (nanos < LONG_NANOS) {
            if (started - forgivenEnd < 0) {
                return; // it overlapped the slow run forgiven last: the same pause, seen by another loop
            }
            if (goodOnLoop.get() >= FORGIVE_AFTER) {
                goodOnLoop.set(0);
                forgivenEnd = now; // forgiven, unless another comes within the next FORGIVE_AFTER runs
                return;
            }
        }
        long hold;
        boolean forGood;
        synchronized (this) {
            if (!onLoop) {
                return; // another loop moved it first
            }
            onLoop = false;
            hold = holdOff;
            holdOff = Math.min(MAX_HOLD_OFF_NANOS, holdOff * 2);
            heldOffUntil = now + hold;
            if (now - movedToLoop >= FORGET_MOVES_NANOS) {
                movesBack = 0;
            }
            forGood = nanos >= BLOCKED_FOR_GOOD_NANOS || ++movesBack >= MAX_MOVES_BACK;
            if (forGood) {
                pinned = true;
            }
            runs.set(0);
            slowRuns.set(0);
        }
        toPool.increment();
        if (forGood) {
            log.warn("{} held an I/O loop for {} µs, working or blocked: it runs on the worker pool from now on"
                    + " (set its execution to 'pool' if it may block)", method, TimeUnit.NANOSECONDS.toMicros(nanos));
        } else {
            log.warn("{} held an I/O loop for {} µs, working or blocked: it runs on the worker pool now, and for at"
                    + " least {} s (set its execution to 'pool' if it may block)", method,
                    TimeUnit.NANOSECONDS.toMicros(nanos), TimeUnit.NANOSECONDS.toSeconds(hold));
        }
    }
}
