package io.rpcboot.core.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.rpcboot.core.buffer.PooledBuffer;

/**
 * The outbound queue of one connection, and its water marks.
 *
 * <pre>
 *  any thread ── add() ──► queued (lock-free MPSC) ──┐
 *                                                    ▼  loop thread only
 *                               flushing (≤ 64 buffers) ── one gathering write() per round
 * </pre>
 *
 * <p>{@code pendingBytes} counts bytes added and not yet written. Crossing {@code highWaterMark}
 * upwards makes the queue not writable; falling below {@code lowWaterMark} makes it writable again.
 * Each flip is reported once through {@code onWritabilityChanged}, on whichever thread caused it.
 */
final class OutboundBuffer {

    /** Buffers handed to one gathering write; bounded so one connection cannot hog the loop. */
    static final int MAX_GATHER = 64;

    private final Queue<PooledBuffer> queued = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<PooledBuffer> flushing = new ArrayDeque<>(); // loop thread only
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER]; // loop thread only
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicBoolean writable = new AtomicBoolean(true);
    private final int lowWaterMark;
    private final int highWaterMark;
    private final Runnable onWritabilityChanged;

    OutboundBuffer(int lowWaterMark, int highWaterMark, Runnable onWritabilityChanged) {
        this.lowWaterMark = lowWaterMark;
        this.highWaterMark = highWaterMark;
        this.onWritabilityChanged = onWritabilityChanged;
    }

    /** Any thread. Takes ownership of {@code buffer}. */
    void add(PooledBuffer buffer) {
        int bytes = buffer.readableBytes();
        queued.offer(buffer);
        if (pendingBytes.addAndGet(bytes) > highWaterMark && writable.compareAndSet(true, false)) {
            onWritabilityChanged.run();
        }
    }

    boolean isWritable() {
        return writable.get();
    }

    long pendingBytes() {
        return pendingBytes.get();
    }

    /**
     * Loop thread. One gathering write of up to {@link #MAX_GATHER} queued buffers; fully written
     * buffers are released.
     *
     * @return bytes written, or -1 if nothing was queued
     */
    long writeRound(GatheringByteChannel channel) throws IOException {
        PooledBuffer next;
        while (flushing.size() < MAX_GATHER && (next = queued.poll()) != null) {
            flushing.add(next);
        }
        if (flushing.isEmpty()) {
            return -1;
        }
        int n = 0;
        for (PooledBuffer b : flushing) {
            gather[n++] = b.buffer();
        }
        long written;
        try {
            written = channel.write(gather, 0, n);
        } finally {
            Arrays.fill(gather, 0, n, null);
        }
        while (!flushing.isEmpty() && !flushing.peekFirst().buffer().hasRemaining()) {
            flushing.pollFirst().release();
        }
        if (written > 0 && pendingBytes.addAndGet(-written) < lowWaterMark && writable.compareAndSet(false, true)) {
            onWritabilityChanged.run();
        }
        return written;
    }

    /** Loop thread: whether the last round left bytes the socket did not take. */
    boolean hasPartialWrite() {
        PooledBuffer first = flushing.peekFirst();
        return first != null && first.buffer().hasRemaining();
    }

    /** Whether nothing is waiting to be written. */
    boolean isEmpty() {
        return pendingBytes.get() == 0 && queued.isEmpty();
    }

    /**
     * Releases every buffer still queued. {@code flushing} is touched only when {@code onLoop}; the
     * MPSC part may be drained from any thread, each buffer being polled (and released) exactly once.
     */
    void releaseAll(boolean onLoop) {
        if (onLoop) {
            PooledBuffer b;
            while ((b = flushing.pollFirst()) != null) {
                b.release();
            }
        }
        PooledBuffer b;
        while ((b = queued.poll()) != null) {
            b.release();
        }
    }
}
