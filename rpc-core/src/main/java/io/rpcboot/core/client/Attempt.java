package io.rpcboot.core.client;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;

import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.internal.reactor.EventLoop;
import org.jspecify.annotations.Nullable;

/**
 * One try of an {@link Invocation} on one leased connection. Exactly one of four things ends it,
 * whichever comes first: its response (on the thread reading the connection: its loop, or a caller
 * reading its own response), the loss of its connection (on the loop), its deadline timer
 * ({@link #run}, on the loop, or on the thread that moves a test clock), or the caller giving up
 * ({@link #abandon}, on the caller's thread). Whoever ends it gives the lease back.
 */
final class Attempt implements ClientConnection.PendingCall, Runnable {

    private static final VarHandle ENDED;

    static {
        try {
            ENDED = MethodHandles.lookup().findVarHandle(Attempt.class, "ended", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Invocation call;
    final Endpoint endpoint;
    private final ClientConnection connection;
    private final long requestId;
    private final long sentNanos;
    /** False until something ends this attempt; set by one CAS, see {@link #tryEnd()}. */
    private volatile boolean ended;
    private volatile CallClock.@Nullable Timer deadlineTimer;

    Attempt(Invocation call, Endpoint endpoint, ClientConnection connection, long requestId) {
        this.call = call;
        this.endpoint = endpoint;
        this.connection = connection;
        this.requestId = requestId;
        this.sentNanos = call.clock.nanoTime();
    }

    /** Whether something ended this attempt. */
    boolean isEnded() {
        return ended;
    }

    /** The caller's thread: reads the connection itself for this attempt's response, if it can (see {@link ClientConnection#readUntilAnswered}). */
    void readOwnResponse(ParkedCaller waiter, long deadlineNanos) {
        connection.readUntilAnswered(this, waiter, deadlineNanos);
    }

    /** Claims the right to end this attempt; true for exactly one caller. */
    boolean tryEnd() {
        return ENDED.compareAndSet(this, false, true);
    }

    @Override
    public long requestId() {
        return requestId;
    }

    /** Sets the timer that ends this attempt at the call's deadline (for a caller that does not watch it itself). */
    void armDeadlineTimer(EventLoop loop, long delayNanos) {
        try {
            CallClock.Timer t = call.clock.schedule(loop, delayNanos, this);
            deadlineTimer = t;
            if (ended) {
                t.cancel(); // the response beat the timer
            }
        } catch (RejectedExecutionException e) {
            onConnectionLost("the client is closing", true);
        }
    }

    /** Cancels the deadline timer, gives the lease back and records the latency. Only by whoever ended the attempt. */
    void releaseLease() {
        CallClock.Timer t = deadlineTimer;
        if (t != null) {
            t.cancel();
        }
        endpoint.pool.release(connection);
        endpoint.figures.end(call.clock.nanoTime() - sentNanos);
    }

    @Override
    public void onResponse(Frame frame) {
        if (!tryEnd()) {
            frame.release();
            return;
        }
        releaseLease();
        call.onResponse(endpoint, frame);
    }

    @Override
    public void onConnectionLost(String reason, boolean mayHaveRun) {
        if (!tryEnd()) {
            return;
        }
        releaseLease();
        call.onConnectionLost(endpoint, reason, mayHaveRun);
    }

    /** The deadline timer fired. */
    @Override
    public void run() {
        if (!tryEnd()) {
            return;
        }
        connection.forget(requestId);
        releaseLease();
        endpoint.outlierFailure();
        call.timedOut(endpoint.address, null);
    }

    /** The caller stops waiting (deadline or interrupt): a late response is dropped. Whether this ended the try. */
    boolean abandon() {
        if (tryEnd()) {
            connection.forget(requestId);
            releaseLease();
            return true;
        }
        return false;
    }
}
