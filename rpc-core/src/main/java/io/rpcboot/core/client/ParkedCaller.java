package io.rpcboot.core.client;

import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.internal.threads.VirtualThreads;
import org.jspecify.annotations.Nullable;

/**
 * The completion of a synchronous call: the caller's thread parks in {@link #await} until the
 * outcome is handed over, and watches the deadline itself (no timer on a loop). The thread that
 * decides the outcome writes it into the fields below, publishes them with the volatile write of
 * {@code outcomeHandedOver}, and unparks the caller: no future, no wait node. An OK response is
 * handed over undecoded, so its result is decoded on the caller's thread, off the event loop.
 *
 * <p>When its call is the only one in flight on its connection, the caller first reads the
 * connection itself ({@link ClientConnection#readUntilAnswered}), waiting on a selector instead of
 * parking: its response is then handed over on its own thread, and wakes nobody. An outcome decided
 * elsewhere meanwhile (the connection's close, an answer on a retry's connection) wakes that
 * selector.
 */
final class ParkedCaller implements CallCompletion {

    private final Thread caller = Thread.currentThread();
    /**
     * Whether the caller may read its own response: not on a virtual thread, which parks cheaply, and
     * whose wait in a selector would hold its carrier thread.
     */
    private final boolean readsItself = !VirtualThreads.current();
    /**
     * For a call that went through interceptors: told, on the handing-over thread, when the outcome
     * is handed over before the caller has claimed it ({@link #claimForCaller}); null otherwise.
     */
    private final @Nullable Consumer<ParkedCaller> unclaimed;
    /** {@link #FREE}, then {@link #CALLER} or {@link #HANDED}, whichever comes first (only with {@link #unclaimed}). */
    private final AtomicInteger claim = new AtomicInteger(FREE);
    private static final int FREE = 0;
    private static final int CALLER = 1;
    private static final int HANDED = 2;
    private @Nullable Object value;
    private @Nullable Throwable failure;
    private @Nullable Frame undecoded;
    private @Nullable Endpoint undecodedFrom;
    /** Set once the outcome is in the fields above; the caller reads them only after seeing it. */
    private volatile boolean outcomeHandedOver;
    /** The selector the caller waits on while it reads its connection itself; null otherwise. */
    private volatile @Nullable Selector selector;

    ParkedCaller() {
        this(null);
    }

    /**
     * @param unclaimed runs on the thread that hands the outcome over, if the caller has not claimed
     *                  it by then (it is busy, e.g. in an interceptor waiting for the call itself)
     */
    ParkedCaller(@Nullable Consumer<ParkedCaller> unclaimed) {
        this.unclaimed = unclaimed;
    }

    /**
     * The caller will wait for the outcome in {@link #await}: true, unless the outcome was handed
     * over already and given to {@code unclaimed}. Caller's thread.
     */
    boolean claimForCaller() {
        return unclaimed == null || claim.compareAndSet(FREE, CALLER);
    }

    @Override
    public boolean callerWaits() {
        return true;
    }

    @Override
    public void succeeded(@Nullable Object v) {
        value = v;
        handOver();
    }

    @Override
    public void answered(Frame response, Endpoint from) {
        undecoded = response;
        undecodedFrom = from;
        handOver();
    }

    @Override
    public void failed(RpcException e) {
        failure = e;
        handOver();
    }

    /**
     * Whether this thread will read the answer to what it just sent itself, in {@link #await}: it is
     * the caller's, and the caller reads its own responses ({@link #readsOwnResponses}).
     */
    boolean awaitFollowsOnThisThread(CallClock clock) {
        return caller == Thread.currentThread() && readsOwnResponses(clock);
    }

    /**
     * Whether the caller reads its connection itself while it waits: on the system clock (a test
     * clock's deadlines are not select timeouts), not on a virtual thread, and with nothing between
     * the sending and the waiting (an interceptor may wait for the call some other way, so an
     * intercepted call leaves the reading to the loop).
     */
    private boolean readsOwnResponses(CallClock clock) {
        return clock == CallClock.SYSTEM && unclaimed == null && readsItself;
    }

    /** The caller waits on {@code s} (null: no longer), reading its connection itself. Caller's thread. */
    void waitsOn(@Nullable Selector s) {
        selector = s;
    }

    private void handOver() {
        outcomeHandedOver = true;
        if (caller != Thread.currentThread()) { // the reading caller itself has nothing to wake
            // a reading caller writes selector, then looks whether its attempt ended (a volatile read);
            // whoever hands over ended that attempt first (its CAS), then reads selector: one sees the other
            Selector s = selector;
            if (s != null) {
                s.wakeup();
            }
            LockSupport.unpark(caller);
        }
        if (unclaimed != null && claim.compareAndSet(FREE, HANDED)) {
            unclaimed.accept(this);
        }
    }

    /**
     * The caller's wait, on the caller's thread: up to the call's deadline (then the caller ends the
     * call itself) or an interrupt (then it abandons the call), until the outcome is handed over.
     *
     * @return the call's result
     * @throws Throwable the call's failure
     */
    @Nullable Object await(Invocation call) throws Throwable {
        boolean interrupted = false;
        if (readsOwnResponses(call.clock)) {
            // each try this thread sent (a retry too, sent from inside a read) is read here, or left
            // to its loop with ensureLoopReads: sent from this thread, nobody else did that for it
            Attempt read = null;
            Attempt attempt;
            while (!outcomeHandedOver && (attempt = call.currentAttempt()) != null && attempt != read) {
                attempt.readOwnResponse(this, call.deadlineNanos);
                read = attempt;
            }
        }
        while (!outcomeHandedOver) {
            if (call.deadlineNanos - call.clock.nanoTime() <= 0) {
                call.deadlinePassedWhileCallerWaits();
                break;
            }
            call.clock.parkUntil(this, call.deadlineNanos);
            if (!outcomeHandedOver && Thread.interrupted()) {
                interrupted = true;
                call.abandon(new RpcException("interrupted while waiting for " + call.method.describe()));
                break;
            }
        }
        // decided by now (by the deadline or interruption above, or by the answer that beat them);
        // the thread that decided may still be handing the outcome over
        while (!outcomeHandedOver) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted(); // else park would return at once, again and again
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return result(call);
    }

    /**
     * The outcome, once handed over: the value (an OK response decoded here, on this thread), or
     * the failure thrown. Called once, by the caller or by {@code unclaimed}.
     */
    @Nullable Object result(Invocation call) throws Throwable {
        if (failure != null) {
            throw failure;
        }
        Frame response = undecoded;
        return response == null ? value : call.decodeOnCallerThread(response, undecodedFrom);
    }
}
