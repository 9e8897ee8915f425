package io.rpcboot.core.internal.protocol;

import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.internal.reactor.Timeout;
import io.rpcboot.core.internal.transport.Connection;
import org.jspecify.annotations.Nullable;

/**
 * The budgets one connection's inbound side is held to, for servers and clients alike: decodes
 * with its {@link FrameDecoder}, closes the connection on a malformed frame or an exceeded limit
 * (counted, and logged at most once per peer and reason in a while), closes it when a frame is not
 * complete within {@link PeerLimits#frameTimeout()}, and enforces the heartbeat rate.
 *
 * <pre>
 *  onData ─► decode ─► frames to the sink
 *              └─ ProtocolException ─► count (malformed, or limits by reason) ─► warn (rate-limited) ─► close
 *  every frameTimeout/4 on the loop ─► a frame started more than frameTimeout ago? ─► close (frame_timeout)
 *  heartbeat ─► token bucket (rate, burst 2 x rate) empty? ─► close (heartbeat_rate)
 * </pre>
 *
 * All methods run on the connection's loop, except {@link #exceeded}, {@link #checkPendingWrites}
 * and {@link #close()} (idempotent), which any thread may call, and {@link #decode} and
 * {@link #heartbeatAllowed}, which run on the thread reading the connection: its loop, or a caller
 * reading its own response (one thread at a time, see {@code Connection#startCallerRead}).
 */
public final class InboundGuard {

    /** How the guard reports: counters by limit, and a rate-limited log. */
    public interface Reports {
        Counter malformed();

        Counter limitExceeded(String reason);

        PeerWarnings warnings();

        String side();
    }

    private final FrameDecoder decoder;
    private final PeerLimits limits;
    private final Reports reports;
    private final long frameTimeoutNanos;
    private final long heartbeatIntervalNanos;
    private final long heartbeatBurstNanos;
    private volatile @Nullable Timeout checker;
    private volatile boolean closed;
    private boolean paused; // loop thread only
    // the reading thread only (heartbeatAllowed)
    private long heartbeatCredit; // a virtual clock: the bucket is empty while it is ahead of now

    public InboundGuard(FrameCodec codec, Reports reports) {
        this.decoder = codec.newDecoder();
        this.limits = codec.limits();
        this.reports = reports;
        this.frameTimeoutNanos = limits.frameTimeout().toNanos();
        this.heartbeatIntervalNanos = TimeUnit.SECONDS.toNanos(1) / limits.maxHeartbeatsPerSecond();
        this.heartbeatBurstNanos = 2 * TimeUnit.SECONDS.toNanos(1);
        this.heartbeatCredit = System.nanoTime() - heartbeatBurstNanos;
    }

    /** Loop thread, once the connection is up: starts the frame-completion checks. */
    public void start(Connection c) {
        schedule(c);
    }

    private void schedule(Connection c) {
        if (closed) {
            return;
        }
        try {
            checker = c.eventLoop().schedule(Math.max(1, frameTimeoutNanos / 4), TimeUnit.NANOSECONDS,
                    () -> checkFrameTime(c));
        } catch (RejectedExecutionException e) {
            // the loop is stopping, and the connection with it
        }
    }

    private void checkFrameTime(Connection c) {
        if (closed || !c.isOpen()) {
            return;
        }
        long since = decoder.partialFrameSince();
        if (!paused && since != 0 && System.nanoTime() - since > frameTimeoutNanos) {
            exceeded(c, new LimitExceededException("frame_timeout", "a frame was not completed within "
                    + limits.frameTimeout().toMillis() + " ms"));
            return;
        }
        schedule(c);
    }

    /**
     * Loop thread: this side stopped (true) or resumed (false) reading the connection. While paused,
     * a frame that is not complete is not the peer's delay; on resume its clock starts again.
     */
    public void readsPaused(boolean paused) {
        this.paused = paused;
        if (!paused) {
            decoder.restartFrameClock();
        }
    }

    /** Whether the peer's first bytes were no rpc-boot frame at all (HTTP, TLS, other): nothing sent to it can have run. */
    private volatile boolean foreignPeer;

    /** Whether the connection closed because the peer does not speak rpc-boot at all (its first bytes said so). */
    public boolean foreignPeer() {
        return foreignPeer;
    }

    /** The reading thread: decodes {@code data}; on a malformed frame or an exceeded limit, closes {@code c}. */
    public void decode(Connection c, ByteBuffer data, Consumer<Frame> sink) {
        try {
            decoder.decode(data, sink);
        } catch (LimitExceededException e) {
            exceeded(c, e);
        } catch (ProtocolException e) {
            foreignPeer = e instanceof ForeignProtocolException;
            reports.malformed().increment();
            reports.warnings().warn(c.remoteAddress(), "malformed", "closing {}: malformed frame from the {} peer: {}",
                    c, reports.side().equals("server") ? "client" : "server", e.getMessage());
            c.close("malformed frame: " + e.getMessage());
        }
    }

    /** Counts, warns (rate-limited) and closes the connection for a limit the peer went past. */
    public void exceeded(Connection c, LimitExceededException e) {
        reports.limitExceeded(e.reason()).increment();
        reports.warnings().warn(c.remoteAddress(), e.reason(), "closing {}: {}", c, e.getMessage());
        c.close("limit exceeded (" + e.reason() + "): " + e.getMessage());
    }

    /**
     * Any thread, after queueing bytes for the peer: a peer that does not read what it is sent cannot
     * make this side queue past {@link PeerLimits#maxPendingWriteBytes()}; past it, its connection closes.
     */
    public void checkPendingWrites(Connection c) {
        long pending = c.pendingWriteBytes();
        if (pending > limits.maxPendingWriteBytes()) {
            exceeded(c, new LimitExceededException("pending_write_bytes", pending + " bytes wait to be sent to "
                    + c.remoteAddress() + ", above the limit of " + limits.maxPendingWriteBytes() + ": the peer does not read"));
        }
    }

    /**
     * The reading thread, for each heartbeat the peer sends: true if it is within the rate; otherwise the
     * connection is closed and false returned.
     */
    public boolean heartbeatAllowed(Connection c) {
        if (!c.isOpen()) {
            return false; // cut off already: the rest of its last read is not counted again
        }
        long now = System.nanoTime();
        long credit = Math.max(heartbeatCredit, now - heartbeatBurstNanos) + heartbeatIntervalNanos;
        if (credit - now > 0) {
            exceeded(c, new LimitExceededException("heartbeat_rate", "more than "
                    + limits.maxHeartbeatsPerSecond() + " heartbeats per second"));
            return false;
        }
        heartbeatCredit = credit;
        return true;
    }

    /** Stops the checks and releases a partly received frame. From the connection's close, which no read overlaps. */
    public void close() {
        closed = true;
        Timeout t = checker;
        if (t != null) {
            t.cancel();
        }
        decoder.close();
    }
}
