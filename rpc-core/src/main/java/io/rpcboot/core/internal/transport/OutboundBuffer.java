package io.rpcboot.core.internal.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import io.rpcboot.core.internal.buffer.PooledBuffer;
import org.slf4j.LoggerFactory;

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
 * Each flip calls {@code onWritabilityChanged} on whichever thread caused it; the connection turns
 * those calls into loop-thread callbacks.
 */
final class OutboundBuffer {

    /** Buffers handed to one gathering write; bounded so one connection cannot hog the loop. */
    static final int MAX_GATHER = 64;

    private final Queue<PooledBuffer> queued = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<PooledBuffer> flushing = new ArrayDeque<>(); // loop thread only
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER]; // loop thread only
    private final AtomicLong pendingBytes = new AtomicLong();
    /**
     * Writability and its history in one word: the number of flips so far; even means writable.
     * One atomic, so a reader always sees a flag and a count that belong together.
     */
    private final AtomicLong flips = new AtomicLong();
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
        if (pendingBytes.addAndGet(bytes) > highWaterMark) {
            long f = flips.get();
            if ((f & 1) == 0 && flips.compareAndSet(f, f + 1)) {
                // the loop may have drained everything between our add and our flip: look again
                refreshWritability();
                onWritabilityChanged.run();
            }
        }
    }

    /** Turns writable again if the queue is below the low water mark; true if it flipped. */
    boolean refreshWritability() {
        long f = flips.get();
        return (f & 1) == 1 && pendingBytes.get() < lowWaterMark && flips.compareAndSet(f, f + 1);
    }

    /** Flips of writability so far: even means writable. */
    long flips() {
        return flips.get();
    }

    boolean isWritable() {
        return (flips.get() & 1) == 0;
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
            if (refreshWritability()) {
                onWritabilityChanged.run();
            }
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
        if (written > 0) {
            pendingBytes.addAndGet(-written);
        }
        if (refreshWritability()) {
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
                releaseQuietly(b);
            }
        }
        PooledBuffer b;
        while ((b = queued.poll()) != null) {
            releaseQuietly(b);
        }
    }

    /** One misbehaving buffer (released behind our back) must not stop the others being released. */
    private static void releaseQuietly(PooledBuffer b) {
        try {
            b.release();
        } catch (IllegalStateException e) {
            LoggerFactory.getLogger(OutboundBuffer.class).warn("a queued buffer was released by someone else", e);
        }
    }
}
