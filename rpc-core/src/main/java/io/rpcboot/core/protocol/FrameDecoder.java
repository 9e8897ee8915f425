package io.rpcboot.core.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import io.rpcboot.core.buffer.PooledBuffer;
import io.rpcboot.core.serialize.BinaryReader;
import io.rpcboot.core.serialize.SerializationException;
import org.jspecify.annotations.Nullable;

/**
 * Turns one inbound byte stream into frames, whatever the split of the bytes: feed it every chunk
 * in order with {@link #decode}. It checks magic, version, type, flags and lengths as soon as the
 * fixed header is complete and refuses a frame larger than the maximum before allocating anything
 * for it; then it gathers the rest into one pooled buffer, verifies the checksum, inflates a
 * compressed body and parses the header entries.
 *
 * <p>Any malformed input throws {@link ProtocolException}; the stream cannot be resynchronised, so
 * the caller closes the connection (and this decoder). Not thread-safe: one decoder per connection,
 * used on its loop. {@link #close()} releases a partly received frame.
 */
public final class FrameDecoder implements AutoCloseable {

    private static final int MAX_HEADER = FrameCodec.HEADER_SIZE + 4;

    private final FrameCodec codec;
    private final ByteBuffer head = ByteBuffer.allocate(MAX_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private int fixedSize = FrameCodec.HEADER_SIZE;
    private @Nullable PooledBuffer rest;
    private @Nullable Inflater inflater;
    // fields of the frame being received
    private FrameType type = FrameType.REQUEST;
    private int flags;
    private int headerLength;
    private long frames;
    /** Last value per well-known header id (1..6), for {@link #recentValue}. */
    private final String[] recent = new String[Headers.KNOWN_IDS];
    private final byte[][] recentBytes = new byte[Headers.KNOWN_IDS][];
    /** The body of every frame without one. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    /** Frames without well-known header entries (responses) share this. */
    private static final String[] NO_KNOWN = new String[0];
    /** Reused for every frame's header entries. */
    private final BinaryReader headerReader = new BinaryReader(ByteBuffer.allocate(0), 0, 0);
    /** Set by {@link #parseHeaders}: the well-known values and the deadline, when it was a plain decimal. */
    private String[] parsedKnown = NO_KNOWN;
    private long parsedDeadline;
    private final byte[] scratch = new byte[20];

    FrameDecoder(FrameCodec codec) {
        this.codec = codec;
    }

    /**
     * Consumes all of {@code in}, handing each complete frame to {@code sink}, which takes ownership
     * of it (and must release it).
     *
     * @throws ProtocolException on malformed input; frames decoded before it were delivered
     */
    public void decode(ByteBuffer in, Consumer<Frame> sink) {
        while (in.hasRemaining()) {
            PooledBuffer r = rest;
            if (r == null) {
                if (fillHead(in)) {
                    startFrame(sink);
                }
            } else {
                ByteBuffer target = r.buffer();
                int n = Math.min(target.remaining(), in.remaining());
                target.put(target.position(), in, in.position(), n); // absolute: no view of either buffer
                target.position(target.position() + n);
                in.position(in.position() + n);
                if (!target.hasRemaining()) {
                    rest = null;
                    target.flip();
                    sink.accept(complete(r));
                }
            }
        }
    }

    /** Copies header bytes; true once the fixed header is complete. Validates as early as it can. */
    private boolean fillHead(ByteBuffer in) {
        if (head.position() == 0 && in.remaining() >= FrameCodec.HEADER_SIZE) { // the usual case: all here at once
            head.put(0, in, in.position(), 5).position(5);
            in.position(in.position() + 5);
            checkPrefix(); // may ask for 4 more bytes (checksum)
            int more = fixedSize - 5;
            if (in.remaining() >= more) {
                head.put(5, in, in.position(), more).position(fixedSize);
                in.position(in.position() + more);
                return true;
            }
        }
        while (in.hasRemaining() && head.position() < fixedSize) {
            head.put(in.get());
            if (head.position() == 5) {
                checkPrefix();
            }
        }
        return head.position() == fixedSize;
    }

    private void checkPrefix() {
        int m0 = head.get(0) & 0xFF;
        int m1 = head.get(1) & 0xFF;
        if (m0 != FrameCodec.MAGIC_0 || m1 != FrameCodec.MAGIC_1) {
            throw new ProtocolException(String.format("bad magic 0x%02X%02X at the start of frame %d (expected 0x5242):"
                    + " the peer does not speak the rpc-boot protocol", m0, m1, frames));
        }
        int version = head.get(2) & 0xFF;
        if (version != FrameCodec.VERSION) {
            throw new ProtocolException("unsupported protocol version " + version + " (this side speaks "
                    + FrameCodec.VERSION + ")");
        }
        int code = head.get(3) & 0xFF;
        FrameType t = FrameType.of(code);
        if (t == null) {
            throw new ProtocolException("unknown frame type " + code);
        }
        type = t;
        flags = head.get(4) & 0xFF;
        if ((flags & ~FrameCodec.KNOWN_FLAGS) != 0) {
            throw new ProtocolException(String.format("unknown flags 0x%02X in a %s frame", flags, type));
        }
        if ((flags & FrameCodec.FLAG_HEARTBEAT_REPLY) != 0 && type != FrameType.HEARTBEAT) {
            throw new ProtocolException("heartbeat-reply flag on a " + type + " frame");
        }
        fixedSize = (flags & FrameCodec.FLAG_CHECKSUM) != 0 ? FrameCodec.HEADER_SIZE + 4 : FrameCodec.HEADER_SIZE;
    }

    private void startFrame(Consumer<Frame> sink) {
        if (head.get(7) != 0) {
            throw new ProtocolException("reserved header byte is " + (head.get(7) & 0xFF) + ", must be 0");
        }
        headerLength = head.getInt(16);
        int bodyLength = head.getInt(20);
        long restLength = Integer.toUnsignedLong(headerLength) + Integer.toUnsignedLong(bodyLength);
        long frameSize = fixedSize + restLength;
        if (headerLength < 0 || bodyLength < 0 || frameSize > codec.maxFrameSize()) {
            throw new ProtocolException("frame of " + frameSize + " bytes (header entries "
                    + Integer.toUnsignedLong(headerLength) + ", body " + Integer.toUnsignedLong(bodyLength)
                    + ") exceeds the limit of " + codec.maxFrameSize() + " bytes");
        }
        PooledBuffer r = codec.pool().acquire((int) restLength);
        if (restLength == 0) {
            r.buffer().flip();
            sink.accept(complete(r));
        } else {
            rest = r;
        }
    }

    /** The whole frame is here: verify, inflate, parse, reset for the next frame. */
    private Frame complete(PooledBuffer r) {
        try {
            ByteBuffer bytes = r.buffer().order(ByteOrder.LITTLE_ENDIAN);
            if ((flags & FrameCodec.FLAG_CHECKSUM) != 0) {
                verifyChecksum(bytes);
            }
            Map<String, String> attachments = parseHeaders(bytes);
            String[] known = parsedKnown;
            long deadline = parsedDeadline;
            PooledBuffer storage = r;
            ByteBuffer bodyBytes = bytes;
            int bodyOffset = headerLength;
            int bodyLength = bytes.limit() - headerLength;
            if ((flags & FrameCodec.FLAG_COMPRESSED) != 0) {
                storage = inflate(bytes.slice(headerLength, bodyLength));
                r.release();
                bodyBytes = storage.buffer().order(ByteOrder.LITTLE_ENDIAN);
                bodyOffset = 0;
                bodyLength = bodyBytes.limit();
            }
            frames++;
            if (bodyLength == 0) {
                storage.release(); // nothing for the receiver to hold, and nothing to keep pointing at
                storage = null;
                bodyBytes = EMPTY;
                bodyOffset = 0;
            }
            return new Frame(type, flags, head.get(5) & 0xFF, head.get(6) & 0xFF, head.getLong(8), known, attachments,
                    deadline, storage, bodyBytes, bodyOffset, bodyLength);
        } catch (RuntimeException e) {
            if (!r.isReleased()) {
                r.release();
            }
            throw e;
        } finally {
            head.clear();
            fixedSize = FrameCodec.HEADER_SIZE;
        }
    }

    private void verifyChecksum(ByteBuffer rest) {
        CRC32C crc = new CRC32C();
        crc.update(head.array(), 0, FrameCodec.HEADER_SIZE);
        crc.update(rest.duplicate());
        int expected = head.getInt(FrameCodec.HEADER_SIZE);
        int actual = (int) crc.getValue();
        if (expected != actual) {
            throw new ProtocolException(String.format("checksum mismatch in %s frame %d: header says 0x%08X,"
                    + " bytes give 0x%08X", type, head.getLong(8), expected, actual));
        }
    }

    /**
     * Parses the header entries (the first {@code headerLength} bytes): sets {@link #parsedKnown}
     * (well-known values by id; a shared empty array when there are none) and {@link #parsedDeadline},
     * and returns the attachments (null when there are none).
     */
    private @Nullable Map<String, String> parseHeaders(ByteBuffer bytes) {
        parsedKnown = NO_KNOWN;
        parsedDeadline = 0;
        if (headerLength == 0) {
            return null;
        }
        Map<String, String> attachments = null;
        BinaryReader in = headerReader.reset(bytes, 0, headerLength);
        try {
            while (in.hasRemaining()) {
                int id = in.readVarInt32();
                if (id == 0) {
                    if (attachments == null) {
                        attachments = new LinkedHashMap<>();
                    }
                    String key = in.readString();
                    attachments.put(key, in.readString());
                } else if (id == Headers.DEADLINE_ID) {
                    readDeadline(in);
                } else if (id < Headers.KNOWN_IDS) {
                    keepKnown(id, recentValue(id, in));
                } else {
                    in.readString(); // an id from a newer peer: skipped
                }
            }
        } catch (SerializationException e) {
            throw new ProtocolException("malformed header entries: " + e.getMessage(), e);
        }
        return attachments;
    }

    /**
     * The deadline differs on every request: a plain decimal (1 to 18 digits, no leading zero) is
     * kept as a number without making a string; anything else is kept as the string it is, for the
     * receiver to judge.
     */
    private void readDeadline(BinaryReader in) {
        parsedDeadline = 0; // a repeated entry: the last one counts, whatever its form
        int length = in.readLength("header value length", Integer.MAX_VALUE, 1);
        if (length > scratch.length) {
            keepKnown(Headers.DEADLINE_ID, readUtf8(in, new byte[length]));
            return;
        }
        long value = 0;
        boolean decimal = length >= 1 && length <= 18;
        for (int i = 0; i < length; i++) {
            byte b = in.readByte();
            scratch[i] = b;
            if (b < '0' || b > '9') {
                decimal = false;
            } else {
                value = value * 10 + (b - '0');
            }
        }
        if (decimal && scratch[0] != '0') { // canonical only, so that the string shown is the one sent
            parsedDeadline = value;
            if (parsedKnown != NO_KNOWN) {
                parsedKnown[Headers.DEADLINE_ID] = null; // a repeated entry: the last one counts
            }
        } else {
            keepKnown(Headers.DEADLINE_ID, new String(scratch, 0, length, StandardCharsets.UTF_8));
        }
    }

    private void keepKnown(int id, String value) {
        if (parsedKnown == NO_KNOWN) {
            parsedKnown = new String[Headers.KNOWN_IDS];
        }
        parsedKnown[id] = value;
    }

    private static String readUtf8(BinaryReader in, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = in.readByte();
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private PooledBuffer inflate(ByteBuffer body) {
        if (body.remaining() < 4) {
            throw new ProtocolException("compressed body of " + body.remaining() + " bytes has no length");
        }
        long size = Integer.toUnsignedLong(body.order(ByteOrder.LITTLE_ENDIAN).getInt());
        if (size > codec.maxFrameSize()) {
            throw new ProtocolException("compressed body inflates to " + size + " bytes, above the limit of "
                    + codec.maxFrameSize());
        }
        Inflater inf = inflater == null ? (inflater = new Inflater()) : inflater;
        inf.reset();
        inf.setInput(body);
        PooledBuffer out = codec.pool().acquire((int) size);
        try {
            ByteBuffer target = out.buffer();
            while (target.hasRemaining() && !inf.finished()) {
                if (inf.inflate(target) == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
            }
            if (target.hasRemaining() || !inf.finished()) {
                throw new ProtocolException("compressed body does not inflate to the " + size + " bytes it announces");
            }
            target.flip();
            return out;
        } catch (DataFormatException | RuntimeException e) {
            out.release();
            if (e instanceof ProtocolException p) {
                throw p;
            }
            throw new ProtocolException("compressed body is corrupt: " + e.getMessage(), e);
        }
    }

    /**
     * The value of a well-known header. Service, method, version and group repeat from frame to
     * frame on a connection, so the last value of each is kept and reused when the bytes match: no
     * new string per request.
     */
    private String recentValue(int id, BinaryReader in) {
        int length = in.readLength("header value length", Integer.MAX_VALUE, 1);
        byte[] last = recentBytes[id];
        if (last != null && last.length == length && in.nextBytesEqual(last)) {
            in.skip(length);
            return recent[id];
        }
        byte[] bytes = new byte[length];
        String value = readUtf8(in, bytes);
        recentBytes[id] = bytes;
        recent[id] = value;
        return value;
    }

    /** Whether part of a frame has been received and not yet completed. */
    public boolean hasPartialFrame() {
        return rest != null || head.position() > 0;
    }

    /** Releases a partly received frame and the inflater. Idempotent. */
    @Override
    public void close() {
        PooledBuffer r = rest;
        rest = null;
        if (r != null) {
            r.release();
        }
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
        head.clear();
    }
}
