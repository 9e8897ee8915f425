package io.rpcboot.core.internal.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * A {@link ByteBuffer} lent by a {@link BufferPool}. Whoever holds it last calls {@link #release()},
 * exactly once; a second release throws {@link IllegalStateException}. After release the buffer must
 * not be touched: the pool hands the same memory to the next caller.
 *
 * <p>Each acquisition gets its own {@code PooledBuffer} (a small wrapper around the pooled memory),
 * so a stale reference from an earlier acquisition can never release memory that someone else holds.
 * Thread-safe for release; the {@link ByteBuffer} itself is not thread-safe.
 */
public final class PooledBuffer {

    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(PooledBuffer.class, "released", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ByteBuffer buffer;
    private final int sizeClass;
    private final BufferPool pool;
    private volatile boolean released;

    PooledBuffer(ByteBuffer buffer, int sizeClass, BufferPool pool) {
        this.buffer = buffer;
        this.sizeClass = sizeClass;
        this.pool = pool;
    }

    /**
     * The buffer, cleared on acquisition: position 0, limit = the requested size, capacity at least
     * that. Valid until {@link #release()}.
     */
    public ByteBuffer buffer() {
        if (released) {
            throw new IllegalStateException("buffer already released");
        }
        return buffer;
    }

    /** Bytes between position and limit: what a reader of this buffer would consume. */
    public int readableBytes() {
        return buffer.remaining();
    }

    /** Whether {@link #release()} has been called. */
    public boolean isReleased() {
        return released;
    }

    /**
     * Gives the memory back to the pool. Exactly once per acquisition.
     *
     * @throws IllegalStateException on a second release
     */
    public void release() {
        if (!RELEASED.compareAndSet(this, false, true)) {
            throw new IllegalStateException("buffer released twice (capacity " + buffer.capacity() + ")");
        }
        pool.giveBack(buffer, sizeClass);
    }

    @Override
    public String toString() {
        return "PooledBuffer[" + buffer + (released ? ", released]" : "]");
    }
}
