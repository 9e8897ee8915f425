package io.rpcboot.core.internal.protocol;

import java.nio.ByteBuffer;

import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.serialize.BinaryWriter;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BinaryWriter} into buffers from a {@link BufferPool}: growing takes a larger pooled buffer
 * and releases the smaller one. Exactly one of {@link #finish()} (the caller then owns the buffer) or
 * {@link #discard()} (released here) ends it. Not thread-safe; one writer per frame.
 */
public final class PooledWriter extends BinaryWriter {

    private final BufferPool pool;
    private @Nullable PooledBuffer pooled;

    private PooledWriter(BufferPool pool, PooledBuffer first) {
        super(first.buffer());
        this.pool = pool;
        this.pooled = first;
    }

    public static PooledWriter start(BufferPool pool, int initialCapacity) {
        return new PooledWriter(pool, pool.acquire(Math.max(16, initialCapacity)));
    }

    @Override
    protected ByteBuffer grow(ByteBuffer full, int capacity) {
        PooledBuffer next = pool.acquire(capacity);
        ByteBuffer bigger = next.buffer().clear();
        bigger.put(full.flip());
        PooledBuffer previous = pooled;
        pooled = next;
        if (previous != null) {
            previous.release();
        }
        return bigger;
    }

    /**
     * Hands over the pooled buffer holding the bytes written (position 0, limit = bytes written). The
     * writer must not be used afterwards.
     */
    public PooledBuffer finish() {
        PooledBuffer result = pooled;
        if (result == null) {
            throw new IllegalStateException("this frame was already finished or discarded");
        }
        pooled = null;
        result.buffer().limit(position()).position(0);
        return result;
    }

    /** Releases the pooled buffer without handing it over (on an encoding failure). Idempotent. */
    public void discard() {
        PooledBuffer p = pooled;
        pooled = null;
        if (p != null) {
            p.release();
        }
    }
}
