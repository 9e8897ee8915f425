package io.rpcboot.core.serialize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link BinaryWriter} writes, from the bytes between a buffer's position and limit.
 * Every read checks the bytes left first: reading past the end throws {@link EndOfInputException}
 * naming the offset, the bytes needed and the bytes left, and a length is checked against the bytes
 * left (and against a maximum) before anything is allocated for it. Not thread-safe.
 */
public final class BinaryReader {

    /** Deepest nesting of values accepted; bounds the stack a hostile payload can make us use. */
    public static final int MAX_DEPTH = 256;

    private ByteBuffer buf;
    private int start;
    private int pos;
    private int limit;
    private int depth;

    /** Reads {@code source}'s remaining bytes without consuming them from {@code source}. */
    public BinaryReader(ByteBuffer source) {
        this(source, source.position(), source.remaining());
    }

    /**
     * Reads {@code length} bytes of {@code source} from index {@code offset}, with absolute reads:
     * {@code source}'s position and limit are neither used nor changed, and no view of it is made
     * when it is already little-endian (buffers the codec owns are).
     */
    public BinaryReader(ByteBuffer source, int offset, int length) {
        reset(source, offset, length);
    }

    /** Points this reader at other bytes (see {@link #BinaryReader(ByteBuffer, int, int)}), so one reader can serve many inputs. */
    public BinaryReader reset(ByteBuffer source, int offset, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > source.limit()) {
            throw new IndexOutOfBoundsException("bytes " + offset + "+" + length + " of a buffer whose limit is "
                    + source.limit());
        }
        this.buf = source.order() == ByteOrder.LITTLE_ENDIAN ? source : source.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.start = offset;
        this.pos = offset;
        this.limit = offset + length;
        this.depth = 0;
        return this;
    }

    public static BinaryReader of(byte[] bytes) {
        return new BinaryReader(ByteBuffer.wrap(bytes));
    }

    /** Offset of the next byte, from the start of the input. */
    public int offset() {
        return pos - start;
    }

    /** Bytes not yet read. */
    public int remaining() {
        return limit - pos;
    }

    public boolean hasRemaining() {
        return pos < limit;
    }

    /** Called before reading a nested value; refuses nesting deeper than {@link #MAX_DEPTH}. */
    public void enter() {
        if (++depth > MAX_DEPTH) {
            throw new SerializationException("values nested deeper than " + MAX_DEPTH + " at offset " + offset());
        }
    }

    /** Called after reading a nested value. */
    public void exit() {
        depth--;
    }

    public boolean readBool() {
        int at = offset();
        byte b = readByte();
        if (b == 0) {
            return false;
        }
        if (b == 1) {
            return true;
        }
        throw new SerializationException("bool at offset " + at + " must be 0 or 1, was " + b);
    }

    public byte readByte() {
        require(1);
        return buf.get(pos++);
    }

    /** One byte as 0..255. */
    public int readUnsignedByte() {
        return readByte() & 0xFF;
    }

    public short readInt16() {
        require(2);
        short v = buf.getShort(pos);
        pos += 2;
        return v;
    }

    public int readInt32() {
        require(4);
        int v = buf.getInt(pos);
        pos += 4;
        return v;
    }

    public long readInt64() {
        require(8);
        long v = buf.getLong(pos);
        pos += 8;
        return v;
    }

    public float readFloat() {
        require(4);
        float v = buf.getFloat(pos);
        pos += 4;
        return v;
    }

    public double readDouble() {
        require(8);
        double v = buf.getDouble(pos);
        pos += 8;
        return v;
    }

    /** An unsigned LEB128 of at most 5 bytes whose value fits in 32 bits. */
    public int readVarInt32() {
        int at = offset();
        int result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (pos >= limit) {
                throw new EndOfInputException(offset(), 1, 0);
            }
            byte b = buf.get(pos++);
            if (shift == 28 && (b & 0xF0) != 0) {
                break; // more than 32 bits
            }
            result |= (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new SerializationException("varint at offset " + at + " does not fit in 32 bits");
    }

    /** An unsigned LEB128 of at most 10 bytes whose value fits in 64 bits. */
    public long readVarInt64() {
        int at = offset();
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= limit) {
                throw new EndOfInputException(offset(), 1, 0);
            }
            byte b = buf.get(pos++);
            if (shift == 63 && (b & 0xFE) != 0) {
                break; // more than 64 bits
            }
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new SerializationException("varint at offset " + at + " does not fit in 64 bits");
    }

    public int readZigZag32() {
        int v = readVarInt32();
        return (v >>> 1) ^ -(v & 1);
    }

    public long readZigZag64() {
        long v = readVarInt64();
        return (v >>> 1) ^ -(v & 1);
    }

    /**
     * A length or element count written as a varint: refused if negative (over 2^31-1), larger than
     * {@code max}, or larger than the bytes left divided by {@code minBytesPerUnit}.
     */
    public int readLength(String what, int max, int minBytesPerUnit) {
        int at = offset();
        int n = readVarInt32();
        if (n < 0 || n > max) {
            throw new SerializationException(what + " at offset " + at + " is " + Integer.toUnsignedLong(n)
                    + ", above the limit of " + max);
        }
        if (minBytesPerUnit > 0 && (long) n * minBytesPerUnit > remaining()) {
            throw new EndOfInputException(offset(), (long) n * minBytesPerUnit, remaining());
        }
        return n;
    }

    /** A varint byte count, then that many bytes of UTF-8. */
    public String readString() {
        int n = readLength("string length", Integer.MAX_VALUE, 1);
        if (buf.hasArray()) {
            String s = new String(buf.array(), buf.arrayOffset() + pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }
        byte[] bytes = new byte[n];
        buf.get(pos, bytes);
        pos += n;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A varint count, then that many bytes. */
    public byte[] readBytes() {
        int n = readLength("byte array length", Integer.MAX_VALUE, 1);
        byte[] bytes = new byte[n];
        buf.get(pos, bytes);
        pos += n;
        return bytes;
    }

    /** {@code n} bytes as a read-only view, without copying. */
    public ByteBuffer readSlice(int n) {
        require(n);
        ByteBuffer slice = buf.slice(pos, n).asReadOnlyBuffer();
        pos += n;
        return slice;
    }

    /** Whether the next {@code expected.length} bytes equal {@code expected}; consumes nothing, allocates nothing. */
    public boolean nextBytesEqual(byte[] expected) {
        if (remaining() < expected.length) {
            return false;
        }
        int at = pos;
        for (int i = 0; i < expected.length; i++) {
            if (buf.get(at + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    public void skip(int n) {
        require(n);
        pos += n;
    }

    private void require(int n) {
        if (n < 0 || limit - pos < n) {
            throw new EndOfInputException(offset(), n, remaining());
        }
    }
}
