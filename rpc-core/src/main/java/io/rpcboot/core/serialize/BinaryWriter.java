package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Appends little-endian primitives, varints and length-prefixed data to a growing buffer: a heap
 * array by default ({@link #heap(int)}, result by {@link #toByteArray()}); a subclass may supply other
 * memory by overriding {@link #grow(ByteBuffer, int)} (rpc-core writes frames into pooled direct
 * buffers that way). Not thread-safe; one writer per message.
 *
 * <p>Formats (also in {@code docs/protocol.md}): fixed-width integers and IEEE 754 floats are
 * little-endian; {@code varint} is unsigned LEB128 (7 bits per byte, low group first, high bit set
 * on all but the last byte); {@code zigzag} maps n to {@code (n << 1) ^ (n >> 63)} before the varint;
 * strings are a varint byte count followed by UTF-8; byte arrays a varint count followed by the bytes.
 */
public class BinaryWriter {

    private ByteBuffer buf;
    private int depth;

    /** A writer that starts writing at position 0 of {@code initial}, up to its capacity. */
    protected BinaryWriter(ByteBuffer initial) {
        this.buf = initial.clear().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A writer into a heap array; {@link #toByteArray()} copies the result. */
    public static BinaryWriter heap(int initialCapacity) {
        return new BinaryWriter(ByteBuffer.allocate(Math.max(16, initialCapacity)));
    }

    /** Bytes written so far. */
    public int position() {
        return buf.position();
    }

    /**
     * Called before writing a nested value; refuses nesting deeper than {@link BinaryReader#MAX_DEPTH},
     * which is what a cyclic object graph would otherwise turn into.
     */
    public void enter() {
        if (++depth > BinaryReader.MAX_DEPTH) {
            throw new SerializationException("values nested deeper than " + BinaryReader.MAX_DEPTH
                    + ": is the object graph cyclic?");
        }
    }

    /** Called after writing a nested value. */
    public void exit() {
        depth--;
    }

    public void writeBool(boolean v) {
        ensure(1);
        buf.put(v ? (byte) 1 : (byte) 0);
    }

    public void writeByte(int v) {
        ensure(1);
        buf.put((byte) v);
    }

    public void writeInt16(int v) {
        ensure(2);
        buf.putShort((short) v);
    }

    public void writeInt32(int v) {
        ensure(4);
        buf.putInt(v);
    }

    public void writeInt64(long v) {
        ensure(8);
        buf.putLong(v);
    }

    public void writeFloat(float v) {
        ensure(4);
        buf.putFloat(v);
    }

    public void writeDouble(double v) {
        ensure(8);
        buf.putDouble(v);
    }

    /** Unsigned LEB128 of the 32 bits of {@code v} (a negative int takes 5 bytes). */
    public void writeVarInt32(int v) {
        ensure(5);
        while ((v & ~0x7F) != 0) {
            buf.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buf.put((byte) v);
    }

    /** Unsigned LEB128 of the 64 bits of {@code v} (a negative long takes 10 bytes). */
    public void writeVarInt64(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buf.put((byte) v);
    }

    public void writeZigZag32(int v) {
        writeVarInt32((v << 1) ^ (v >> 31));
    }

    public void writeZigZag64(long v) {
        writeVarInt64((v << 1) ^ (v >> 63));
    }

    /** Varint byte count, then UTF-8. */
    public void writeString(String s) {
        int len = s.length();
        if (len < 128 && isAscii(s, len)) { // the common case: one pass, no intermediate array
            ensure(1 + len);
            buf.put((byte) len);
            for (int i = 0; i < len; i++) {
                buf.put((byte) s.charAt(i));
            }
            return;
        }
        writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes what {@code writeString(Long.toString(value))} writes, without making the string. */
    public void writeDecimalString(long value) {
        if (value < 0) {
            writeString(Long.toString(value)); // not on any hot path
            return;
        }
        int digits = 1;
        for (long rest = value; rest >= 10; rest /= 10) {
            digits++;
        }
        ensure(1 + digits);
        buf.put((byte) digits); // at most 19: a one-byte varint
        int first = buf.position();
        long rest = value;
        for (int i = first + digits - 1; i >= first; i--) {
            buf.put(i, (byte) ('0' + (int) (rest % 10)));
            rest /= 10;
        }
        buf.position(first + digits);
    }

    private static boolean isAscii(String s, int len) {
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Varint count, then the bytes. */
    public void writeBytes(byte[] bytes) {
        writeVarInt32(bytes.length);
        writeRaw(bytes, 0, bytes.length);
    }

    /** The bytes as they are, with no length. */
    public void writeRaw(byte[] bytes, int offset, int length) {
        ensure(length);
        buf.put(bytes, offset, length);
    }

    /** The remaining bytes of {@code src} as they are, with no length; {@code src} is consumed. */
    public void writeRaw(ByteBuffer src) {
        ensure(src.remaining());
        buf.put(src);
    }

    /** A read-only view of bytes {@code from} (inclusive) to {@code to} (exclusive) written so far. */
    public ByteBuffer view(int from, int to) {
        return buf.duplicate().limit(to).position(from).slice().asReadOnlyBuffer();
    }

    /** Overwrites 4 bytes at {@code position} (a placeholder written earlier) with {@code v}. */
    public void setInt32(int position, int v) {
        buf.putInt(position, v);
    }

    /** Overwrites 1 byte at {@code position}. */
    public void setByte(int position, int v) {
        buf.put(position, (byte) v);
    }

    /** A copy of the bytes written. */
    public byte[] toByteArray() {
        if (buf.hasArray()) {
            return Arrays.copyOfRange(buf.array(), buf.arrayOffset(), buf.arrayOffset() + buf.position());
        }
        byte[] out = new byte[buf.position()];
        buf.duplicate().flip().get(out);
        return out;
    }

    private void ensure(int bytes) {
        if (buf.remaining() >= bytes) {
            return;
        }
        int needed = buf.position() + bytes;
        if (needed < 0) {
            throw new SerializationException("message larger than 2 GiB");
        }
        int capacity = Math.max(needed, buf.capacity() <= (1 << 29) ? buf.capacity() * 2 : Integer.MAX_VALUE - 8);
        buf = grow(buf, capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Returns a buffer of at least {@code capacity} bytes holding the bytes written so far (positioned
     * after them, limit at its capacity), when {@code full} has no room for the next value. Called on
     * the writer's thread; the writer uses only the returned buffer afterwards. The default copies into
     * a new heap buffer.
     */
    protected ByteBuffer grow(ByteBuffer full, int capacity) {
        return ByteBuffer.allocate(capacity).put(full.flip());
    }
}
