package io.rpcboot.core.internal.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.buffer.PooledBuffer;

/**
 * Inflates a compressed body (u32 uncompressed length, then a zlib stream) under a budget. The
 * output buffer starts small and grows as output appears, so memory follows what the stream really
 * produces, never what it announces; both the announced size and the output are held to
 * {@code limit} (the frame limit, and the ratio cap times the compressed size).
 */
final class Inflation {

    private static final int FIRST_OUTPUT = 4096;

    private Inflation() {
    }

    /** A pooled buffer (position 0, limit = inflated size) that the caller owns. */
    static PooledBuffer inflate(BufferPool pool, ByteBuffer body, long limit) {
        if (body.remaining() < 4) {
            throw new ProtocolException("compressed body of " + body.remaining() + " bytes has no length");
        }
        int compressed = body.remaining() - 4;
        long announced = Integer.toUnsignedLong(body.order(ByteOrder.LITTLE_ENDIAN).getInt());
        if (announced > limit) {
            throw new LimitExceededException("inflated_size", "a compressed body of " + compressed
                    + " bytes announces " + announced + " bytes, above its budget of " + limit
                    + " bytes (the frame limit, and the inflation ratio cap times the compressed size)");
        }
        Inflater inflater = new Inflater();
        PooledBuffer out = null;
        boolean done = false;
        try {
            out = pool.acquire((int) Math.min(announced, Math.max(FIRST_OUTPUT, 4L * compressed)));
            inflater.setInput(body);
            ByteBuffer target = out.buffer();
            while (!inflater.finished()) {
                if (!target.hasRemaining() && target.position() < announced) {
                    out = grow(pool, out, announced);
                    target = out.buffer();
                }
                // with no room left, inflate still consumes an empty final block; more output means corrupt
                int n = inflater.inflate(target);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary() || !target.hasRemaining())) {
                    break;
                }
            }
            if (!inflater.finished() || target.position() != announced) {
                throw new ProtocolException("compressed body does not inflate to the " + announced
                        + " bytes it announces");
            }
            target.flip();
            done = true;
            return out;
        } catch (DataFormatException e) {
            throw new ProtocolException("compressed body is corrupt: " + e.getMessage(), e);
        } catch (ProtocolException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ProtocolException("compressed body is corrupt: " + e.getMessage(), e);
        } finally {
            if (!done && out != null) {
                out.release(); // whatever failed, an OutOfMemoryError included
            }
            inflater.end();
        }
    }

    private static PooledBuffer grow(BufferPool pool, PooledBuffer out, long announced) {
        ByteBuffer old = out.buffer();
        int have = old.position();
        PooledBuffer bigger = pool.acquire((int) Math.min(announced, 2L * have));
        bigger.buffer().put(0, old, 0, have).position(have);
        out.release();
        return bigger;
    }
}
