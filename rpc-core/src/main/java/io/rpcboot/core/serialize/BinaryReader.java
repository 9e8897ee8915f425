package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link BinaryWriter} writes, from the bytes between a buffer's position and limit.
 * Every read checks the bytes left first: reading past the end throws {@link EndOfInputException}
 * naming the offset, the bytes needed and the bytes left, and a length is checked against the bytes
 * left (and against a maximum) before anything is allocated for it. Not thread-safe.
 *
 * <p><b>Decode budget.</b> The bytes come from a peer that may be hostile, and a few bytes can ask for
 * many objects (a list of empty records, a map of empty strings). So every region read carries a
 * budget of estimated heap bytes, {@code ratio x length + }{@link #DECODE_BUDGET_BASE}, set when the
 * reader is created or {@linkplain #reset reset}: the codecs {@linkplain #charge charge} it for each
 * object they create, before creating it, and going over it throws a {@link SerializationException}
 * naming the limit. The ratio is {@link #DEFAULT_DECODE_RATIO} unless {@link #withDecodeRatio} says
 * otherwise. A charge is an addition and a comparison: no allocation, no lookup.
 */
public final class BinaryReader {

    /** Deepest nesting of values accepted; bounds the stack a hostile payload can make us use. */
    public static final int MAX_DEPTH = 256;

    /**
     * Estimated heap bytes a decode may create per byte received, unless {@link #withDecodeRatio} says
     * otherwise. Ordinary values stay far below it: a list of strings or of records with their fields
     * costs 2-20 bytes of heap per byte; lists of empty strings or of empty collections reach 20-25.
     * Records sent without most of their fields (each absent field costs nothing on the wire and a
     * slot in memory) go past it: that is the amplification this budget exists to stop, and such a
     * payload is refused unless it is small enough for {@link #DECODE_BUDGET_BASE}.
     */
    public static final int DEFAULT_DECODE_RATIO = 32;

    /**
     * Estimated heap bytes every region may create whatever its length, so that a small message
     * whose value is legitimately denser than the ratio (a record with many fields its older sender
     * did not send) still decodes.
     */
    public static final int DECODE_BUDGET_BASE = 64 * 1024;

    private ByteBuffer buf;
    private int start;
    private int pos;
    private int limit;
    private int depth;
    private int decodeRatio = DEFAULT_DECODE_RATIO;
    private long budget;
    private long charged;

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

    /**
     * Points this reader at other bytes (see {@link #BinaryReader(ByteBuffer, int, int)}), so one reader
     * can serve many inputs. Starts a fresh decode budget for {@code length} bytes, at this reader's ratio.
     */
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
        this.charged = 0;
        this.budget = budgetFor(length);
        return this;
    }

    /**
     * Sets the decode ratio of this reader: the current region's budget becomes {@code ratio x length
     * + }{@link #DECODE_BUDGET_BASE} (what was charged so far stays charged), and so does the budget of
     * every region a later {@link #reset} points it at.
     *
     * @param ratio estimated heap bytes a decode may create per byte received, at least 1
     * @throws IllegalArgumentException if {@code ratio} is below 1
     */
    public BinaryReader withDecodeRatio(int ratio) {
        if (ratio < 1) {
            throw new IllegalArgumentException("decode ratio must be at least 1, was " + ratio);
        }
        this.decodeRatio = ratio;
        this.budget = budgetFor(limit - start);
        return this;
    }

    private long budgetFor(int length) {
        return (long) decodeRatio * length + DECODE_BUDGET_BASE;
    }

    /** Estimated heap bytes a decode may create per byte of the region. */
    public int decodeRatio() {
        return decodeRatio;
    }

    /** Estimated heap bytes the decoding of this region may create: {@code ratio x length + base}. */
    public long decodeBudget() {
        return budget;
    }

    /** Estimated heap bytes charged so far for this region. */
    public long charged() {
        return charged;
    }

    /**
     * Charges the decode budget for an object about to be created, of about {@code bytes} bytes of
     * heap. Call it before allocating, so that a hostile count fails before it costs anything.
     *
     * @throws SerializationException if the charges of this region would exceed its budget
     */
    public void charge(long bytes) {
        charged += bytes;
        if (charged > budget) {
            throw overBudget();
        }
    }

    private SerializationException overBudget() {
        return new DecodeBudgetException("decoding would create more than " + budget + " bytes of objects from "
                + (limit - start) + " bytes received (the limit is " + decodeRatio + " x the bytes received + "
                + DECODE_BUDGET_BASE + "), at offset " + offset());
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

    /** A varint byte count, then that many bytes of UTF-8; charges the decode budget for the string. */
    public String readString() {
        return readString("string length", Integer.MAX_VALUE);
    }

    /**
     * As {@link #readString()}, but refuses a byte count above {@code maxBytes} before allocating
     * anything, with an exception naming {@code what}, the offset, the count and the limit.
     */
    public String readString(String what, int maxBytes) {
        int n = readLength(what, maxBytes, 1);
        charge(DecodeCost.STRING + n);
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

    /** A varint count, then that many bytes; charges the decode budget for the array. */
    public byte[] readBytes() {
        int n = readLength("byte array length", Integer.MAX_VALUE, 1);
        charge(DecodeCost.ARRAY + n);
        byte[] bytes = new byte[n];
        buf.get(pos, bytes);
        pos += n;
        return bytes;
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
