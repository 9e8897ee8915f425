package io.rpcboot.core.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.Selector;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.context.CallScope;
import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.protocol.FrameType;
import io.rpcboot.core.internal.protocol.InboundGuard;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.internal.reactor.EventLoop;
import io.rpcboot.core.internal.transport.Connection;
import io.rpcboot.core.internal.transport.ConnectionHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The client's side of one connection to a provider: a map of calls in flight by request id,
 * responses matched to them, heartbeats when the line is quiet, and the draining notice. When the
 * connection closes, every call still in flight on it fails at once with the reason.
 *
 * <p>Back-pressure: while the provider does not read and more than the high water mark of requests
 * waits to be sent, the connection takes no new calls ({@link #isWritable()}): they wait, unsent,
 * until it drains below the low water mark (or their deadline passes); past
 * {@code maxPendingWriteBytes} the connection closes.
 *
 * <p>{@code onData} runs on the thread that reads the connection: its loop, or a caller reading its
 * own response ({@link #readUntilAnswered}), one at a time; the other callbacks run on the loop
 * ({@code onClosed} only once no read is under way, the others possibly while a caller reads);
 * {@link #send} is called from any thread.
 */
final class ClientConnection implements ConnectionHandler {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    /** A call waiting for its response on this connection. Each method is called at most once per call. */
    interface PendingCall extends PendingCalls.Entry {
        void onResponse(Frame frame);

        /** @param mayHaveRun false when the peer provably ran nothing (it does not speak rpc-boot) */
        void onConnectionLost(String reason, boolean mayHaveRun);
    }

    private final ClientRuntime runtime;
    private final Endpoint endpoint;
    private final PendingCalls<PendingCall> pending = new PendingCalls<>(1024);
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger sending = new AtomicInteger();
    private final InboundGuard inbound;
    private final Consumer<Frame> onFrame = this::onFrame; // one per connection, not one per read
    /** Calls waiting for this connection to be writable again (back-pressure); not sent, so not run. */
    private final Queue<Invocation> awaitingWritable = new ConcurrentLinkedQueue<>();
    private volatile @Nullable Connection connection;
    private volatile boolean draining;
    private volatile String drainedReason = "the provider is draining";
    private volatile boolean heartbeatOutstanding; // set by whoever reads (the loop, or a reading caller) and by onIdle
    /** The reply a background probe waits for; null when none waits. */
    private volatile @Nullable CompletableFuture<Void> probeReply;

    ClientConnection(ClientRuntime runtime, Endpoint endpoint) {
        this.runtime = runtime;
        this.endpoint = endpoint;
        this.inbound = new InboundGuard(runtime.codec, runtime.meters().inbound);
    }

    long nextRequestId() {
        return ids.incrementAndGet();
    }

    EventLoop eventLoop() {
        Connection c = connection;
        if (c == null) {
            throw new IllegalStateException("not connected");
        }
        return c.eventLoop();
    }

    /**
     * The loop must read the answer to what was just sent: no caller reads this connection for it
     * (see {@link #readUntilAnswered}). Any thread.
     */
    void loopMustRead() {
        Connection c = connection;
        if (c != null) {
            c.ensureLoopReads();
        }
    }

    /**
     * Registers {@code call} under {@code requestId} and queues {@code frame}. Any thread.
     *
     * @return false if the connection was closed, in which case the frame was not sent and the call
     *         is not registered
     */
    boolean send(PooledBuffer frame, PendingCall call) {
        Connection c = connection;
        sending.incrementAndGet();
        try {
            // draining is checked after announcing ourselves in "sending": see maybeCloseDrained
            if (c == null || !c.isOpen() || draining) {
                frame.release();
                return false;
            }
            pending.put(call);
            int bytes = frame.readableBytes();
            if (!c.write(frame)) {
                return pending.take(call.requestId()) == null; // if onClosed already took it, it was told
            }
            runtime.meters().bytesSent.increment(bytes);
            inbound.checkPendingWrites(c);
            return true;
        } finally {
            sending.decrementAndGet();
            if (draining) {
                maybeCloseDrained();
            }
        }
    }

    /**
     * The caller's thread, right after {@code attempt} was sent on this connection: when it is the
     * only call in flight here, the caller reads the connection itself until the attempt ends (or
     * the deadline, an interrupt, or the connection's close), so that its response wakes no other
     * thread: the loop neither reads it nor hands it over. Calls sent meanwhile by other threads are
     * answered by the reading caller as the loop would answer them; when it stops, the loop reads
     * again, woken if calls are still in flight. Returns without a guarantee that the attempt
     * ended: the caller then waits as usual.
     */
    void readUntilAnswered(Attempt attempt, ParkedCaller waiter, long deadlineNanos) {
        Connection c = connection;
        if (c == null || attempt.isEnded()) {
            return;
        }
        Selector selector = pending.size() == 1 ? c.startCallerRead() : null; // others in flight: the loop reads for all
        if (selector == null) {
            c.ensureLoopReads();
            return;
        }
        // other calls answered on this thread must not see this caller's deadline, metadata or log context
        CallScope scope = CallScope.setAside();
        Map<String, String> logContext = MDC.getCopyOfContextMap();
        if (logContext != null) {
            MDC.clear();
        }
        try {
            waiter.waitsOn(selector);
            while (!attempt.isEnded()) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0 || Thread.currentThread().isInterrupted()) {
                    break; // the caller's usual wait ends the call
                }
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999)));
                selector.selectedKeys().clear();
                if (!c.callerRead()) {
                    break;
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            // the connection closed (its close wakes and fails the call) or the selector failed: wait as usual
        } finally {
            waiter.waitsOn(null);
            c.endCallerRead();
            // a call sent while this caller read counted on it to read its answer: its put came before
            // its look at the role, our end of reading before this count: one of the two sees the other
            // (a heartbeat or probe sent meanwhile is not in pending: its answer is awaited too)
            if (pending.size() > 0 || heartbeatOutstanding || probeReply != null) {
                c.ensureLoopReads();
            }
            scope.restoreAside();
            if (logContext != null) {
                MDC.setContextMap(logContext);
            }
        }
    }

    /**
     * Closes a draining connection once nothing is in flight or being sent on it. The provider
     * waits for this close: closing earlier could cut off a request already on the wire. Senders
     * increment {@code sending} before they read {@code draining}, and the drain path sets
     * {@code draining} before it reads {@code sending}, so one of the two always sees the other.
     */
    private void maybeCloseDrained() {
        if (sending.get() == 0 && pending.isEmpty()) {
            close(drainedReason);
        }
    }

    /**
     * Takes no new call and closes once the calls in flight are answered (or forgotten at their
     * deadline), as for a provider's draining notice; for an endpoint that left the registry. Any thread.
     */
    void closeWhenIdle(String reason) {
        drainedReason = reason;
        draining = true;
        maybeCloseDrained();
    }

    /** Forgets a call (it timed out); a late response to it is dropped. */
    void forget(long requestId) {
        pending.take(requestId);
        if (draining) {
            maybeCloseDrained();
        }
    }

    /**
     * Whether this connection takes new calls now: false while more than the high water mark of
     * requests waits for a provider that does not read (back-pressure), until the queue drains below
     * the low water mark. Any thread; the calls already sent are not affected.
     */
    boolean isWritable() {
        Connection c = connection;
        return c == null || c.isWritable();
    }

    /**
     * Parks a call until this connection is writable again (or closes): then {@code call} is resumed,
     * on the loop, to try again. Any thread. A call that ends meanwhile (its deadline) is skipped.
     */
    void awaitWritable(Invocation call) {
        awaitingWritable.add(call);
        if (isWritable() || !isOpen()) {
            resumeAwaitingWritable(); // it turned writable (or closed) before we were queued: nobody else will
        }
    }

    /**
     * Resumes waiting calls while the connection takes writes (or is closed: then they go
     * elsewhere). Stops as soon as the calls it sent fill it up again, so that a resumed call that
     * has to wait again is not polled again and again: the next change to writable resumes the rest.
     */
    private void resumeAwaitingWritable() {
        Invocation call;
        while ((isWritable() || !isOpen()) && (call = awaitingWritable.poll()) != null) {
            call.resumeAfterBackPressure(endpoint);
        }
    }

    private boolean isOpen() {
        Connection c = connection;
        return c != null && c.isOpen();
    }

    /**
     * The transport's water marks: while the provider does not read, calls wait instead of adding
     * to the queue (see {@link #isWritable()}); once it drains, they go. Loop thread.
     */
    @Override
    public void onWritabilityChanged(Connection c, boolean writable) {
        if (!writable) {
            runtime.meters().inbound.limitExceeded("write_backlog").increment(); // counted each time the connection stops taking calls
            log.debug("{} takes no new calls: {} bytes wait for the provider to read", c, c.pendingWriteBytes());
            return;
        }
        resumeAwaitingWritable();
    }

    /** Why the connection closed, or null while it is open (or not yet set up). */
    @Nullable String closeReason() {
        Connection c = connection;
        return c == null ? null : c.closeReason();
    }

    /** Whether new calls may use this connection. */
    boolean isUsable() {
        Connection c = connection;
        return c != null && c.isOpen() && !draining;
    }

    boolean isDraining() {
        return draining;
    }

    @Override
    public void onConnected(Connection c) {
        connection = c;
        inbound.start(c);
    }

    @Override
    public void onData(Connection c, ByteBuffer data) {
        runtime.meters().bytesReceived.increment(data.remaining());
        heartbeatOutstanding = false;
        inbound.decode(c, data, onFrame);
    }

    private void onFrame(Frame frame) {
        switch (frame.type()) {
            case RESPONSE -> {
                PendingCall call = pending.take(frame.requestId());
                // a response over this client's frame limit arrives without its body: its call fails with the reason
                if (call == null) {
                    frame.release(); // its caller gave up (timeout)
                } else {
                    call.onResponse(frame);
                }
                if (draining) {
                    maybeCloseDrained();
                }
            }
            case DRAINING -> {
                frame.release();
                draining = true;
                endpoint.markDraining();
                log.info("provider {} is draining: new calls go to other instances", endpoint.address);
                maybeCloseDrained();
            }
            case HEARTBEAT -> {
                frame.release();
                Connection c = connection;
                if (frame.isHeartbeatReply()) {
                    CompletableFuture<Void> probe = probeReply;
                    if (probe != null) {
                        probeReply = null;
                        probe.complete(null);
                    }
                } else if (c != null && inbound.heartbeatAllowed(c)) {
                    write(runtime.codec.start(FrameType.HEARTBEAT, frame.requestId(), 0, RpcStatus.OK).heartbeatReply().finish());
                }
            }
            default -> frame.release();
        }
    }

    /** The line was quiet for a heartbeat interval: probe it, or give up if the last probe went unanswered. */
    @Override
    public void onIdle(Connection c) {
        if (heartbeatOutstanding) {
            c.close("no heartbeat reply from " + endpoint.address + " within " + c.idleTimeout().toMillis() + " ms");
            return;
        }
        heartbeatOutstanding = true;
        write(runtime.codec.start(FrameType.HEARTBEAT, nextRequestId(), 0, RpcStatus.OK).finish());
    }

    /**
     * A background probe ({@link Endpoint}): a heartbeat whose reply completes the future; the
     * connection's close fails it. Any thread.
     */
    CompletableFuture<Void> probe() {
        CompletableFuture<Void> reply = new CompletableFuture<>();
        Connection c = connection;
        if (c == null || !c.isOpen()) {
            reply.completeExceptionally(new IllegalStateException("not connected"));
            return reply;
        }
        probeReply = reply;
        write(runtime.codec.start(FrameType.HEARTBEAT, nextRequestId(), 0, RpcStatus.OK).finish());
        return reply;
    }

    private void write(PooledBuffer frame) {
        Connection c = connection;
        if (c != null) {
            runtime.meters().bytesSent.increment(frame.readableBytes());
            c.write(frame);
            c.ensureLoopReads(); // a probe's or heartbeat's answer is the loop's to read, unless a caller reads now
        } else {
            frame.release();
        }
    }

    @Override
    public void onClosed(Connection c, String reason) {
        inbound.close();
        endpoint.pool.invalidate(this);
        CompletableFuture<Void> probe = probeReply;
        if (probe != null) {
            probe.completeExceptionally(new IllegalStateException("connection closed: " + reason));
        }
        boolean mayHaveRun = !inbound.foreignPeer(); // a peer that does not speak rpc-boot ran nothing
        for (PendingCall call : pending.takeAll()) {
            call.onConnectionLost(reason, mayHaveRun);
        }
        resumeAwaitingWritable(); // the calls that waited for this connection try another (they were not sent)
    }

    /** Closes the connection (pool eviction or client shutdown). */
    void close(String reason) {
        Connection c = connection;
        if (c != null) {
            c.close(reason);
        }
    }

    @Override
    public String toString() {
        return "ClientConnection[" + endpoint.address + ", " + connection + "]";
    }
}
