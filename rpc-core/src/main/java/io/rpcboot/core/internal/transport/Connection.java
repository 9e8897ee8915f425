package io.rpcboot.core.internal.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.reactor.EventLoop;
import io.rpcboot.core.internal.reactor.IoHandler;
import io.rpcboot.core.internal.reactor.IoRegistration;
import io.rpcboot.core.internal.reactor.Timeout;
import io.rpcboot.core.tls.TlsConfig;
import io.rpcboot.core.tls.TlsPeer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection, owned by one {@link EventLoop}: reads, socket writes and every
 * {@link ConnectionHandler} callback happen on that loop's thread, except the writes of a writer
 * that finds the queue empty and the reads of a caller reading its own response (both below).
 *
 * <p>Writing: {@link #write} may be called from any thread. It queues the buffer and schedules one
 * flush task per batch; the flush gathers queued buffers into as few {@code write} calls as it can.
 * A thread other than the loop that finds nothing queued writes its buffer to the socket itself
 * instead (one gathering write, no wake-up of the loop): a caller sending a request, or a worker
 * sending a response. It goes through the same queue, so the pending-bytes accounting and the
 * water marks are the same; whatever the socket does not take is left to the loop. One thread at a
 * time writes to the socket ({@code writing}). A TLS connection is always written by its loop, which
 * owns the {@code SSLEngine}. {@code OP_WRITE} is registered only while the socket refuses bytes. When more than the high water
 * mark is queued, {@link #isWritable()} turns false (and back to true below the low water mark);
 * producers that respect it keep memory bounded.
 *
 * <p>Reading: each read goes into a buffer from the {@link BufferPool}, sized adaptively, handed to
 * {@link ConnectionHandler#onData} and released right after. {@link #setReadEnabled(boolean)}
 * stops and resumes reading (TCP flow control then slows the peer). One thread at a time reads
 * ({@code reading}): the loop, or a caller waiting for its own response on a plaintext connection
 * ({@link #startCallerRead}). Such a caller takes {@code OP_READ} away from the loop, waits on a
 * selector of its own, reads and runs {@code onData} on its thread, and gives reading back with
 * {@link #endCallerRead}: the response then wakes nobody but the caller it is for.
 *
 * <p>TLS: a connection made with a {@link TlsConfig} runs a {@link TlsSession} between the socket and
 * the handler. It handshakes first; {@code onConnected}, the idle timer and writes wait for the
 * handshake to finish, and {@link #established()} completes then (or fails, saying why).
 *
 * <p>Closing: {@link #close(String)} from any thread, idempotent. The channel is closed, every queued
 * buffer released, and {@link ConnectionHandler#onClosed} called exactly once with the first reason.
 */
public final class Connection {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    private static final AtomicLong IDS = new AtomicLong();
    private static final int MIN_READ = 512;
    private static final int MAX_READ = 64 * 1024;
    private static final int MAX_READS_PER_EVENT = 16;
    private static final int MAX_WRITE_ROUNDS = 16;

    private final long id = IDS.incrementAndGet();
    private final SocketChannel channel;
    private final EventLoop loop;
    private final BufferPool pool;
    private final ConnectionHandler handler;
    private final TransportConfig config;
    private final Consumer<Connection> onRelease;
    private final SocketAddress remoteAddress;
    private final SocketAddress localAddress;
    private final OutboundBuffer outbound;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    /** Held by the one thread writing to the socket: the loop's flush, or a writer's own write; kept once closed. */
    private final AtomicBoolean writing = new AtomicBoolean();
    /** Set by {@link #closeWhenFlushed}: the close reason once the queue is empty; null otherwise. */
    private volatile @Nullable String closeWhenFlushed;
    private volatile boolean lingerAfterFlush;
    /** Whether a thread other than the loop may write its buffer itself: established, plaintext, the socket taking bytes. */
    private volatile boolean writersMayWrite;
    /** Loop thread: the loop holds {@code writing} (a close from inside its flush must not wait for itself). */
    private boolean loopWriting;
    /** Held by the one thread reading from the socket: the loop, or a reading caller; taken for good by the close. */
    private final AtomicBoolean reading = new AtomicBoolean();
    /** The thread holding {@code reading} (a close from inside a read must not wait for itself). */
    private volatile @Nullable Thread readingThread;
    /** Whether a caller reads this connection now ({@link #startCallerRead}); the loop has no {@code OP_READ} then. */
    private final AtomicBoolean callerReads = new AtomicBoolean();
    /**
     * Set when a reading caller gave reading back without waking the loop: the loop's selector may
     * still lack {@code OP_READ} until its next wake-up. Whoever then needs the loop to read
     * ({@link #ensureLoopReads}) wakes it and clears this.
     */
    private final AtomicBoolean loopReadsLazily = new AtomicBoolean();
    /** Whether a caller may read: established, plaintext. */
    private volatile boolean callersMayRead;
    /** What a reading caller waits on (made on first use, under {@code reading}); closed with the connection. */
    private volatile @Nullable Selector readerSelector;
    /** True on a caller's thread while it reads a connection: it acts as the loop then (no synchronous calls). */
    private static final ThreadLocal<boolean[]> CALLER_READING = ThreadLocal.withInitial(() -> new boolean[1]);
    private final AtomicBoolean finished = new AtomicBoolean();
    private final Runnable flushTask = this::flushFromTask;
    private final Runnable syncWritabilityTask = this::syncWritability;
    private final Io io = new Io();
    private final @Nullable TlsSession tls;
    private final CompletableFuture<Connection> established = new CompletableFuture<>();
    private volatile @Nullable String closeReason;
    private volatile @Nullable Throwable closeCause;

    // loop thread only
    private @Nullable IoRegistration registration;
    private boolean connected;
    private long reportedFlips;
    private boolean waitingForWritable;
    private volatile boolean readEnabled = true; // written by the loop, read by a reading caller too
    private boolean tlsReadsPaused;
    private int readGuess = 2048;
    private volatile long lastActivityNanos = System.nanoTime(); // written by writers too
    private @Nullable Timeout idleTimer;

    Connection(SocketChannel channel, EventLoop loop, BufferPool pool, ConnectionHandler handler,
               TransportConfig config, Consumer<Connection> onRelease) throws IOException {
        this(channel, loop, pool, handler, config, onRelease, null, null, null);
    }

    /**
     * A connection that speaks TLS when {@code tls} is given: as a client of {@code target} when that
     * is given, else as a server.
     */
    Connection(SocketChannel channel, EventLoop loop, BufferPool pool, ConnectionHandler handler,
               TransportConfig config, Consumer<Connection> onRelease, @Nullable TlsConfig tls,
               @Nullable TlsStats tlsStats, @Nullable SocketAddress target) throws IOException {
        this.channel = channel;
        this.loop = loop;
        this.pool = pool;
        this.handler = handler;
        this.config = config;
        this.onRelease = onRelease;
        this.remoteAddress = channel.getRemoteAddress();
        this.localAddress = channel.getLocalAddress();
        this.outbound = new OutboundBuffer(config.lowWaterMark(), config.highWaterMark(), this::writabilityFlipped);
        TlsStats stats = tlsStats != null ? tlsStats : new TlsStats();
        this.tls = tls == null ? null : target != null ? TlsSession.client(this, tls, pool, channel, stats,
                target instanceof InetSocketAddress inet ? inet : null)
                : TlsSession.server(this, tls, pool, channel, stats);
    }

    /** Loop thread: registers the channel for reads and fires {@code onConnected}. */
    void activate() {
        if (closed.get()) {
            finishClose();
            return;
        }
        try {
            activate(loop.registerNow(channel, SelectionKey.OP_READ, io));
        } catch (IOException | RuntimeException e) {
            close("registration failed: " + e, e);
        }
    }

    /** Loop thread: takes over an existing registration (a client's, after OP_CONNECT). */
    void activate(IoRegistration reg) {
        registration = reg;
        reg.handler(io);
        reg.interestOps(readEnabled ? SelectionKey.OP_READ : 0);
        if (tls != null) {
            tls.start(); // establish() follows when the handshake finishes
            return;
        }
        establish();
    }

    /** Loop thread: the connection is ready for the handler (after the TLS handshake, if any). */
    private void establish() {
        connected = true;
        writersMayWrite = tls == null && !waitingForWritable;
        callersMayRead = tls == null;
        lastActivityNanos = System.nanoTime();
        if (!config.idleTimeout().isZero()) {
            scheduleIdleCheck(config.idleTimeout().toNanos());
        }
        try {
            handler.onConnected(this);
        } catch (Throwable t) {
            handlerFailed("onConnected", t);
        }
        if (!closed.get()) {
            established.complete(this);
        }
        if (!outbound.isEmpty()) {
            scheduleFlush();
        }
    }

    /**
     * Completes once the connection is ready (its TLS handshake finished, if it has one); fails with
     * the reason if it closes first. Completed on the loop thread.
     */
    public CompletableFuture<Connection> established() {
        return established;
    }

    /**
     * Queues {@code buffer} (its bytes between position and limit) for writing, and takes ownership
     * of it: it is released once written or when the connection closes. Any thread.
     *
     * @return false if the connection was already closed (the buffer is then released at once)
     */
    public boolean write(PooledBuffer buffer) {
        if (buffer.isReleased()) {
            throw new IllegalArgumentException("cannot write a released buffer to " + this);
        }
        if (closed.get()) {
            buffer.release();
            return false;
        }
        boolean mayWriteHere = writersMayWrite && outbound.isEmpty() && !loop.inEventLoop();
        outbound.add(buffer);
        if (closed.get()) {
            // raced with close(): make sure nothing stays queued (what a writer is writing, finishClose releases)
            outbound.releaseAll(false);
            return false;
        }
        if (mayWriteHere && writeHere()) {
            return true;
        }
        scheduleFlush();
        return true;
    }

    /**
     * Not the loop: one gathering write of what is queued, on this thread. True if everything was
     * written; false if something is left for the loop (the socket did not take it all, another
     * thread was writing, or more was queued meanwhile).
     */
    private boolean writeHere() {
        if (!writing.compareAndSet(false, true)) {
            return false;
        }
        Exception failure = null;
        try {
            if (closed.get()) {
                return true; // finishClose releases what is queued
            }
            if (outbound.writeRound(channel) > 0) {
                lastActivityNanos = System.nanoTime();
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        } finally {
            writing.set(false);
        }
        if (failure != null) { // closed once writing is released: finishClose takes it
            if (failure instanceof RuntimeException) {
                log.warn("writing to {} failed; closing it", this, failure);
            }
            close("write failed: " + (failure instanceof IOException ? failure.getMessage() : failure), failure);
            return true;
        }
        if (closeWhenFlushed != null) {
            scheduleFlush(); // a loop flush that found us writing did not check
        }
        return outbound.isEmpty(); // a loop flush that found us writing left the rest to whoever comes next
    }

    private void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(flushTask);
            } catch (RejectedExecutionException e) {
                close("event loop stopped", e);
            }
        }
    }

    private void flushFromTask() {
        flushScheduled.set(false);
        if (!waitingForWritable) {
            flush();
        }
    }

    /**
     * Loop thread. Writes until the queue is empty, the socket refuses bytes, or the round limit. A
     * writer writing its own buffer now holds {@code writing}: it leaves the loop a flush if it does
     * not write everything.
     */
    private void flush() {
        if (closed.get() || !writing.compareAndSet(false, true)) {
            return;
        }
        loopWriting = true;
        try {
            flushWriting();
        } finally {
            loopWriting = false;
            writing.set(false);
        }
        if (closeWhenFlushed != null) {
            closeIfFlushed();
        }
    }

    private void flushWriting() {
        try {
            if (tls != null) {
                if (!tls.flushNet()) {
                    return; // encrypted bytes wait for the socket: OP_WRITE brings us back
                }
                if (tls.isHandshaking()) {
                    setWaitingForWritable(false);
                    tls.resume(); // a handshake that stopped for a full socket goes on
                    return;
                }
                if (tls.writesBlocked()) {
                    setWaitingForWritable(false);
                    return; // a TLS task runs: its end schedules a flush
                }
            }
            if (!connected) {
                return;
            }
            for (int round = 0; round < MAX_WRITE_ROUNDS; round++) {
                if (closed.get()) {
                    outbound.releaseAll(true); // close() may have run from a callback inside the last round
                    return;
                }
                long written = outbound.writeRound(tls != null ? tls : channel);
                if (written > 0) {
                    lastActivityNanos = System.nanoTime();
                }
                if (written < 0) {
                    setWaitingForWritable(false);
                    return;
                }
                if (tls != null && tls.writesBlocked()) {
                    setWaitingForWritable(false);
                    return; // a TLS task started: its end schedules a flush
                }
                if (outbound.hasPartialWrite() || (tls != null && tls.hasPendingOutput())) {
                    setWaitingForWritable(true); // the socket buffer is full
                    return;
                }
            }
            setWaitingForWritable(false);
            scheduleFlush(); // more to write: yield to other connections first
        } catch (IOException e) {
            close("write failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            log.warn("flushing {} failed; closing it", this, e);
            close("write failed: " + e, e);
        }
    }

    private void setWaitingForWritable(boolean waiting) {
        if (waitingForWritable != waiting && registration != null) {
            waitingForWritable = waiting;
            writersMayWrite = !waiting && tls == null && connected;
            if (waiting) {
                registration.addInterest(SelectionKey.OP_WRITE);
            } else {
                registration.removeInterest(SelectionKey.OP_WRITE);
            }
        }
    }

    /** Loop thread: reads, unless a caller is reading (it takes what there is). */
    private void read() {
        if (!acquireReading()) {
            return;
        }
        try {
            readBatch();
        } finally {
            releaseReading();
        }
    }

    private boolean acquireReading() {
        if (!reading.compareAndSet(false, true)) {
            return false;
        }
        readingThread = Thread.currentThread();
        return true;
    }

    private void releaseReading() {
        readingThread = null;
        reading.set(false);
    }

    /** Holding {@code reading}: reads what the socket has, up to {@link #MAX_READS_PER_EVENT} reads, into the handler. */
    private void readBatch() {
        for (int i = 0; i < MAX_READS_PER_EVENT && readEnabled && !tlsReadsPaused && !closed.get(); i++) {
            PooledBuffer buffer = pool.acquire(readGuess);
            ByteBuffer bytes = buffer.buffer();
            int requested = bytes.remaining();
            int n;
            try {
                n = channel.read(bytes);
            } catch (IOException e) {
                buffer.release();
                close("read failed: " + e.getMessage(), e);
                return;
            }
            if (n <= 0) {
                buffer.release();
                if (n < 0) {
                    close(tls != null ? tls.closedByPeerReason() : "closed by peer");
                }
                return;
            }
            lastActivityNanos = System.nanoTime();
            adaptReadGuess(n, requested);
            bytes.flip();
            try {
                if (tls != null) {
                    tls.received(bytes);
                } else {
                    handler.onData(this, bytes);
                }
            } catch (Throwable t) {
                handlerFailed("onData", t);
                return;
            } finally {
                buffer.release();
            }
            if (n < requested) {
                return; // the socket had no more for now
            }
        }
    }

    /**
     * A thread other than the loop, about to wait for a response on this connection, offers to read
     * it itself: on success the loop stops reading it ({@code OP_READ} is removed; the change
     * reaches the loop's selector when it next wakes, and until then the loop leaves what it is told
     * of to the caller), and the caller waits on the returned selector, then calls
     * {@link #callerRead} whenever it wakes, and {@link #endCallerRead} when it stops. Only one
     * caller at a time reads; the handler's callbacks then run on that caller's thread, one at a
     * time as on the loop.
     *
     * @return the selector to wait on; null if this connection is not read by callers (TLS, not
     *         established, closed, another caller reads it, or this is the loop)
     */
    public @Nullable Selector startCallerRead() {
        if (!callersMayRead || closed.get() || loop.inEventLoop() || !callerReads.compareAndSet(false, true)) {
            return null;
        }
        Selector selector = readerSelector;
        if (selector == null && (selector = openReaderSelector()) == null) {
            callerReads.set(false);
            return null;
        }
        IoRegistration reg = registration;
        if (reg != null) {
            reg.removeInterest(SelectionKey.OP_READ);
            loop.changedInterestLazily();
        }
        return selector;
    }

    /** The reader's selector, made under {@code reading} so that a close cannot miss it; null if closed or it failed. */
    private @Nullable Selector openReaderSelector() {
        while (!acquireReading()) {
            if (closed.get()) {
                return null;
            }
            Thread.onSpinWait(); // the loop is in the middle of a read
        }
        try {
            if (closed.get()) {
                return null;
            }
            Selector selector = Selector.open();
            try {
                channel.register(selector, SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) {
                selector.close();
                throw e;
            }
            readerSelector = selector;
            return selector;
        } catch (IOException | RuntimeException e) {
            log.debug("no caller reads on {}: {}", this, e.toString());
            callersMayRead = false;
            return null;
        } finally {
            releaseReading();
        }
    }

    /**
     * The reading caller, woken on its selector: reads what the socket has and hands it to the
     * handler, on this thread. False once the caller should stop reading (the connection closed,
     * or is closing); true otherwise, including when the loop happened to be reading (it was woken
     * before the caller took over): the caller then waits again.
     */
    public boolean callerRead() {
        if (closed.get()) {
            return false;
        }
        if (!acquireReading()) {
            return !closed.get();
        }
        boolean[] flag = CALLER_READING.get();
        try {
            if (closed.get() || !readEnabled) {
                return false;
            }
            flag[0] = true;
            readBatch();
        } catch (RuntimeException e) {
            // readBatch contains the handler's failures; this is the buffer pool or the like
            close("read by a caller failed: " + e, e);
        } finally {
            flag[0] = false;
            releaseReading();
        }
        return !closed.get();
    }

    /**
     * The reading caller stops reading: the loop reads again from its next wake-up, which this does
     * not cause (the next caller will most often read for itself, and a wake-up per call is what
     * caller reads save). The loop wakes within {@link EventLoop#changedInterestLazily}'s bound, so
     * what an idle peer sends meanwhile (a close, a drain notice) waits at most that long; whoever
     * sends something whose answer the loop must read calls {@link #ensureLoopReads} and does not
     * wait even that.
     */
    public void endCallerRead() {
        IoRegistration reg = registration;
        if (reg != null && readEnabled) {
            reg.addInterest(SelectionKey.OP_READ);
            loop.changedInterestLazily();
        }
        loopReadsLazily.set(true); // before the role is given back: see ensureLoopReads
        callerReads.set(false);
    }

    /**
     * Any thread, after sending something whose answer the loop must read (when no caller reads for
     * it): wakes the loop if a reading caller left it without {@code OP_READ}. A sender writes what
     * it sent before it calls this, and a caller ending its read sets the flag before it looks at
     * what was sent: one of the two sees the other.
     */
    public void ensureLoopReads() {
        if (loopReadsLazily.get() && !callerReads.get() && loopReadsLazily.compareAndSet(true, false)) {
            loop.wakeup();
        }
    }

    /** Whether this thread is reading a connection for callers, inside {@link #callerRead}: it must not wait for a call then. */
    public static boolean readingForCallers() {
        return CALLER_READING.get()[0];
    }

    private void adaptReadGuess(int n, int requested) {
        if (n == requested) {
            readGuess = Math.min(MAX_READ, requested * 2);
        } else if (n < requested / 4) {
            readGuess = Math.max(MIN_READ, requested / 2);
        }
    }

    /** Stops (false) or resumes (true) reading from the socket. Any thread. */
    public void setReadEnabled(boolean enabled) {
        if (!loop.inEventLoop()) {
            executeOrIgnore(() -> setReadEnabled(enabled));
            return;
        }
        readEnabled = enabled;
        updateReadInterest();
    }

    private void updateReadInterest() {
        if (registration != null && registration.isValid()) {
            if (readEnabled && !tlsReadsPaused) {
                registration.addInterest(SelectionKey.OP_READ);
            } else {
                registration.removeInterest(SelectionKey.OP_READ);
            }
        }
    }

    private void scheduleIdleCheck(long delayNanos) {
        idleTimer = loop.schedule(delayNanos, TimeUnit.NANOSECONDS, this::checkIdle);
    }

    private void checkIdle() {
        if (closed.get()) {
            return;
        }
        long timeout = config.idleTimeout().toNanos();
        long idleFor = System.nanoTime() - lastActivityNanos;
        if (idleFor >= timeout) {
            lastActivityNanos = System.nanoTime();
            try {
                handler.onIdle(this);
            } catch (Throwable t) {
                handlerFailed("onIdle", t);
            }
            if (!closed.get()) {
                scheduleIdleCheck(timeout);
            }
        } else {
            scheduleIdleCheck(timeout - idleFor);
        }
    }

    /** Any thread. Always via a task, so the handler is never re-entered from inside a write or flush. */
    private void writabilityFlipped() {
        executeOrIgnore(syncWritabilityTask);
    }

    /**
     * Loop thread: reports the flips the handler has not seen. An odd number since the last report is
     * one change; an even number (a flip and its undo) is reported as that pair, so a handler that saw
     * {@code isWritable() == false} and paused is always told when writing is possible again.
     */
    private void syncWritability() {
        long flips = outbound.flips();
        boolean now = (flips & 1) == 0;
        long missed = flips - reportedFlips;
        if (missed == 0 || !connected || closed.get()) {
            return;
        }
        reportedFlips = flips;
        if ((missed & 1) == 0) {
            fireWritabilityChanged(!now);
        }
        fireWritabilityChanged(now);
    }

    private void fireWritabilityChanged(boolean writable) {
        if (closed.get()) {
            return;
        }
        try {
            handler.onWritabilityChanged(this, writable);
        } catch (Throwable t) {
            handlerFailed("onWritabilityChanged", t);
        }
    }

    /** A handler callback threw: the connection closes; a {@link VirtualMachineError} then goes on to end the loop. */
    private void handlerFailed(String callback, Throwable t) {
        if (t instanceof VirtualMachineError fatal) {
            close("handler failed in " + callback + ": " + t, t);
            throw fatal;
        }
        loop.recordEscapedFailure();
        log.warn("{} failed in {} on {}; closing the connection", handler, callback, this, t);
        close("handler failed in " + callback + ": " + t, t);
    }

    /**
     * Stops reading, and closes the connection with {@code reason} once everything queued so far
     * (and anything queued meanwhile) is written. Any thread; a connection that cannot be written
     * to is closed by the pending-bytes limit or the idle timeout as usual.
     */
    public void closeWhenFlushed(String reason) {
        closeWhenFlushed(reason, false);
    }

    /**
     * As {@link #closeWhenFlushed(String)}; with {@code linger} (plaintext only), once everything is
     * written the output is shut down and the connection goes on reading for up to
     * {@value #LINGER_MILLIS} ms before it closes: a peer still sending when it is refused then
     * reads the refusal, instead of losing it to the reset that closing with unread input causes
     * (RFC 9112, 9.6). The handler discards what it reads meanwhile (and may close sooner).
     */
    public void closeWhenFlushed(String reason, boolean linger) {
        lingerAfterFlush = linger && tls == null;
        closeWhenFlushed = reason;
        if (!lingerAfterFlush) {
            setReadEnabled(false);
        }
        scheduleFlush(); // the flush that finds the queue empty closes
    }

    /** How long a lingering close goes on reading after the last byte is written. */
    static final long LINGER_MILLIS = 1000;

    /** Loop thread, after a flush: the close asked for by {@link #closeWhenFlushed}, once nothing is left to write. */
    private void closeIfFlushed() {
        String reason = closeWhenFlushed;
        if (reason != null && !closed.get() && outbound.isEmpty() && !writing.get()
                && (tls == null || !tls.hasPendingOutput())) {
            if (!lingerAfterFlush) {
                close(reason);
                return;
            }
            lingerAfterFlush = false;
            closeWhenFlushed = null;
            try {
                channel.shutdownOutput(); // the peer reads what was written, then the end
            } catch (IOException e) {
                close(reason, e);
                return;
            }
            loop.schedule(LINGER_MILLIS, TimeUnit.MILLISECONDS, () -> close(reason));
        }
    }

    /** Closes the connection with {@code reason}. Idempotent, any thread; the first reason wins. */
    public void close(String reason) {
        close(reason, null);
    }

    private void close(String reason, @Nullable Throwable cause) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeReason = reason;
        closeCause = cause;
        if (cause != null && !(cause instanceof IOException)) {
            log.debug("closing {}: {}", this, reason, cause);
        } else {
            log.debug("closing {}: {}", this, reason);
        }
        if (loop.inEventLoop()) {
            finishClose();
        } else {
            try {
                loop.execute(this::finishClose);
            } catch (RejectedExecutionException e) {
                // the loop is in its last moments: once it has terminated nothing else touches us
                awaitLoopTermination();
                finishClose();
            }
        }
    }

    private void awaitLoopTermination() {
        try {
            if (!loop.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("event loop {} did not terminate in 5 s; releasing {} anyway", loop.name(), this);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The one place that releases everything and tells the handler; runs once, on the loop thread
     * (or on the closing thread once the loop has terminated).
     */
    private void finishClose() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        try {
            if (tls != null) {
                tls.dispose(); // close_notify, while the socket is still open
            }
            writersMayWrite = false;
            // a writer in its one non-blocking write is waited for; the loop closing from inside its
            // own flush holds writing already (and its flush checks closed after each round)
            while (!loopWriting && !writing.compareAndSet(false, true)) {
                Thread.yield(); // the writer may need this core to finish its write
            }
            callersMayRead = false;
            // a reading caller in the middle of a read is waited for, as a writer is; one waiting on its
            // selector holds nothing, and closing the selector wakes it
            while (readingThread != Thread.currentThread() && !reading.compareAndSet(false, true)) {
                Thread.yield();
            }
            closeChannel();
            Selector selector = readerSelector;
            if (selector != null) {
                try {
                    selector.close();
                } catch (IOException | ClosedSelectorException e) {
                    log.debug("closing the reader selector of {} failed", this, e);
                }
            }
            if (idleTimer != null) {
                idleTimer.cancel();
            }
            outbound.releaseAll(true); // a writer that takes writing from now on finds closed set and writes nothing
        } finally {
            if (!established.isDone()) {
                String reason = String.valueOf(closeReason);
                IOException failure = tls != null ? new javax.net.ssl.SSLException(reason, closeCause)
                        : new IOException(reason, closeCause);
                established.completeExceptionally(failure);
            }
            onRelease.accept(this);
            if (connected) {
                connected = false;
                try {
                    handler.onClosed(this, String.valueOf(closeReason));
                } catch (Throwable t) {
                    log.warn("{} failed in onClosed on {}", handler, this, t);
                }
            }
        }
    }

    private void closeChannel() {
        if (registration != null) {
            registration.cancelAndClose();
        } else {
            try {
                channel.close();
            } catch (IOException e) {
                log.debug("closing the channel of {} failed", this, e);
            }
        }
    }

    private void executeOrIgnore(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException ignored) {
            // the loop stopped: the connection is being closed with it
        }
    }

    /** Whether more may be queued without passing the high water mark. Any thread. */
    public boolean isWritable() {
        return outbound.isWritable();
    }

    /** Bytes queued and not yet written to the socket. */
    public long pendingWriteBytes() {
        return outbound.pendingBytes();
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /** Why the connection closed, or null while it is open. */
    public @Nullable String closeReason() {
        return closeReason;
    }

    public long id() {
        return id;
    }

    public EventLoop eventLoop() {
        return loop;
    }

    public BufferPool bufferPool() {
        return pool;
    }

    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    public SocketAddress localAddress() {
        return localAddress;
    }

    public Duration idleTimeout() {
        return config.idleTimeout();
    }

    /** Whether this connection speaks TLS. */
    public boolean isTls() {
        return tls != null;
    }

    /** What the TLS handshake said about the peer; null for a plaintext connection or before the handshake ended. */
    public @Nullable TlsPeer tlsPeer() {
        return tls == null ? null : tls.peer();
    }

    // for TlsSession, on the loop thread

    void tlsEstablished() {
        establish();
    }

    /** Plaintext for the handler; false if the connection closed (the handler failed, or closed it). */
    boolean tlsDeliver(ByteBuffer data) {
        try {
            handler.onData(this, data);
        } catch (Throwable t) {
            handlerFailed("onData", t);
            return false;
        }
        return !closed.get();
    }

    void tlsFailed(String reason, @Nullable Throwable cause) {
        close(reason, cause);
    }

    void tlsReadsPaused(boolean paused) {
        tlsReadsPaused = paused;
        updateReadInterest();
    }

    void tlsAwaitWritable() {
        setWaitingForWritable(true);
    }

    void tlsResumeWrites() {
        if (connected) {
            scheduleFlush();
        }
    }

    void tlsOnLoop(Runnable task) {
        executeOrIgnore(task);
    }

    @Override
    public String toString() {
        return "Connection#" + id + "[" + localAddress + " -> " + remoteAddress + "]";
    }

    /** Readiness callbacks from the loop; kept private so they are not part of the public API. */
    private final class Io implements IoHandler {
        @Override
        public void handleReady(IoRegistration reg, int readyOps) {
            if ((readyOps & SelectionKey.OP_WRITE) != 0) {
                flush();
            }
            if ((readyOps & SelectionKey.OP_READ) != 0) {
                read();
            }
        }

        @Override
        public void handleFailure(IoRegistration reg, Throwable failure) {
            close("I/O handler failed: " + failure, failure);
        }

        @Override
        public void handleLoopStopped(IoRegistration reg) {
            close("event loop stopped");
        }

        @Override
        public String toString() {
            return Connection.this.toString();
        }
    }
}
