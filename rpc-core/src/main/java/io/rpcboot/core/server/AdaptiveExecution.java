package io.rpcboot.core.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one method runs under {@link ExecutionMode#ADAPTIVE}, learned from how long it holds the
 * thread that runs it (decoding, the method, encoding and handing the answer over), as
 * {@link RunClock} measures it: less the time the thread waited for a core, and not judged at all
 * when a garbage collection happened meanwhile.
 *
 * <pre>
 *   POOL ── 1,000 runs on the pool, at most 1 over SLOW and the hold-off over ──► LOOP
 *   LOOP ── one run over SLOW ──► POOL, held off 1 s, 2 s, 4 s ... 5 min (doubling with each move)
 * </pre>
 *
 * The first calls of a method, and a method that blocks now and then (even once in a few hundred
 * calls), stay on the pool. A method that was fast for 1,000 calls and then blocks costs the loop
 * one slow run before it moves. A request body over {@link #LOOP_MAX_BODY}, or compressed, is run on
 * the pool whatever the method's place. Only run times are kept: two counters and a deadline per
 * method.
 */
final class AdaptiveExecution {

    private static final Logger log = LoggerFactory.getLogger(AdaptiveExecution.class);

    /** A run that held its thread this long is slow: on the loop it moves the method to the pool. */
    static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Runs on the pool in one window; a window with at most {@link #SLOW_ALLOWED} slow runs moves the method to the loop. */
    static final int WINDOW = 1000;
    /** Slow runs a window may have (a thread descheduled mid-run looks slow without being so). */
    static final int SLOW_ALLOWED = 1;
    static final long FIRST_HOLD_OFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long MAX_HOLD_OFF_NANOS = TimeUnit.MINUTES.toNanos(5);
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

    AdaptiveExecution(String method, Counter toLoop, Counter toPool) {
        this.method = method;
        this.toLoop = toLoop;
        this.toPool = toPool;
    }

    /** Whether the next call runs on the I/O loop. */
    boolean onLoop() {
        return onLoop;
    }

    /** Whether a call with this request body runs on the I/O loop. */
    boolean onLoop(int bodyLength, boolean compressed) {
        return onLoop && bodyLength <= LOOP_MAX_BODY && !compressed;
    }

    /** A run on the pool took {@code nanos}; ends the window once it is full. Any worker thread. */
    void ranOnPool(long nanos, long now) {
        if (onLoop || nanos == RunClock.EXCUSED) {
            return; // a call queued before the move; a run a collection interrupted
        }
        if (nanos >= SLOW_NANOS) {
            slowRuns.incrementAndGet();
        }
        if (runs.incrementAndGet() != WINDOW) {
            return;
        }
        // the one thread that completed the window judges it and opens the next
        int slow = slowRuns.getAndSet(0);
        if (slow <= SLOW_ALLOWED && now - heldOffUntil >= 0) {
            synchronized (this) {
                onLoop = true;
            }
            toLoop.increment();
            log.debug("{} runs on the I/O loop: {} of its last {} runs took {} ms or more", method, slow, WINDOW,
                    TimeUnit.NANOSECONDS.toMillis(SLOW_NANOS));
        }
        runs.set(0);
    }

    /** A run on the loop took {@code nanos}: a slow one moves the method to the pool. Loop thread. */
    void ranOnLoop(long nanos, long now) {
        if (nanos < SLOW_NANOS || !onLoop) {
            return;
        }
        long hold;
        synchronized (this) {
            if (!onLoop) {
                return; // another loop moved it first
            }
            onLoop = false;
            hold = holdOff;
            holdOff = Math.min(MAX_HOLD_OFF_NANOS, holdOff * 2);
            heldOffUntil = now + hold;
            runs.set(0);
            slowRuns.set(0);
        }
        toPool.increment();
        log.warn("{} held an I/O loop for {} ms: it runs on the worker pool now, and for at least {} s (set its"
                + " execution to 'pool' if it may block)", method, TimeUnit.NANOSECONDS.toMillis(nanos),
                TimeUnit.NANOSECONDS.toSeconds(hold));
    }
}
