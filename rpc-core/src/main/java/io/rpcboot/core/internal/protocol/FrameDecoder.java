package io.rpcboot.core.internal.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.serialize.BinaryReader;
import io.rpcboot.core.SerializationException;
import org.jspecify.annotations.Nullable;

/**
 * Turns one inbound byte stream into frames, whatever the split of the bytes: feed it every chunk
 * in order with {@link #decode}. It checks magic, version, type, flags and lengths as soon as the
 * fixed header is complete, then gathers the rest of the frame, verifies the checksum and parses the
 * well-known header entries.
 *
 * <p>What a peer can make it hold is bounded by the bytes the peer has sent, never by what a frame
 * claims: a frame's buffer starts at what has arrived (at least {@value #FIRST_CHUNK} bytes, at most
 * the frame) and grows as more arrives. The header block is capped ({@link PeerLimits#maxHeaderSize()}),
 * attachments are counted and skipped (parsed only if someone asks, see {@link Frame#header}),
 * and a compressed body stays compressed here: it is inflated, under a size and ratio budget, by
 * whoever reads the body ({@link Frame#bodyReader()}): a server's worker in pool mode (the loop
 * itself only in direct mode, or for an asynchronous client call's result).
 *
 * <p>A request or response larger than the frame limit whose header block is within its cap is not
 * an error of the stream: its header entries are read, its body is skipped without being buffered,
 * and it is delivered as an {@linkplain Frame#isOversize() oversize} frame with no body (and no
 * checksum verified, since the body was never read), so that the
 * receiver can answer it and keep the connection. Any other malformed input throws
 * {@link ProtocolException}; the stream cannot be resynchronised, so the caller closes the
 * connection (and this decoder).
 *
 * <p>Not thread-safe: one decoder per connection, used on its loop. {@link #close()} releases a
 * partly received frame.
 */
public final class FrameDecoder implements AutoCloseable {

    /** The first buffer of a frame whose bytes are not all here yet; it grows as they arrive. */
    static final int FIRST_CHUNK = 4096;
    /** Well-known header values up to this size are remembered for reuse on the next frame. */
    static final int MAX_REMEMBERED_VALUE = 256;
    /**
     * A compressed body may inflate to the ratio cap times its size plus this much (never past the
     * frame limit): small bodies of very regular data compress better than any sane ratio.
     */
    static final int INFLATE_ALLOWANCE = 64 * 1024;
    private static final int MAX_HEADER = FrameCodec.HEADER_SIZE + FrameCodec.CHECKSUM_SIZE;

    private final FrameCodec codec;
    private final PeerLimits limits;
    private final ByteBuffer head = ByteBuffer.allocate(MAX_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private int fixedSize = FrameCodec.HEADER_SIZE;
    /** The frame being gathered: {@code received} bytes of {@code restLength} are in it. */
    private @Nullable PooledBuffer rest;
    private int restLength;
    /** An oversize frame: header bytes still to gather into {@code rest}, then body bytes to skip. */
    private boolean oversize;
    private long skipLeft;
    private long oversizeBytes;
    /** Header entries of an oversize frame, held while its body is skipped. */
    private @Nullable PooledBuffer skipping;
    /**
     * When the first byte of the frame being received arrived ({@link System#nanoTime()}), 0 if none.
     * Volatile: the frame-completion check reads it on the loop while a caller may be decoding.
     */
    private volatile long partialSince;
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
    /** Set by {@link #parseHeaders}: the well-known values, the deadline when it was a plain decimal, the attachments. */
    private String[] parsedKnown = NO_KNOWN;
    private long parsedDeadline;
    private byte @Nullable [] parsedAttachments;
    private final byte[] scratch = new byte[20];
    private boolean closed;

    FrameDecoder(FrameCodec codec) {
        this.codec = codec;
        this.limits = codec.limits();
    }

    /**
     * Consumes all of {@code in}, handing each complete frame to {@code sink}, which takes ownership
     * of it (and must release it).
     *
     * @throws ProtocolException on malformed input (a {@link LimitExceededException} when a budget
     *                           was exceeded); frames decoded before it were delivered
     */
    public void decode(ByteBuffer in, Consumer<Frame> sink) {
        while (!closed && in.hasRemaining()) { // a frame's receiver may close this decoder (and its connection)
            if (rest == null && skipLeft == 0) {
                if (fillHead(in)) {
                    startFrame(in, sink);
                }
            } else if (skipLeft > 0 && rest == null) {
                skipBody(in, sink);
            } else {
                gather(in, sink);
            }
        }
        if (!closed && partialSince == 0 && hasPartialFrame()) {
            partialSince = System.nanoTime();
        }
    }

    /** Copies header bytes; true once the fixed header is complete. Validates as early as it can. */
    private boolean fillHead(ByteBuffer in) {
        if (head.position() == 0 && in.remaining() >= FrameCodec.HEADER_SIZE) { // the usual case: all here at once
            head.put(0, in, in.position(), FrameCodec.PREFIX_SIZE).position(FrameCodec.PREFIX_SIZE);
            in.position(in.position() + FrameCodec.PREFIX_SIZE);
            checkPrefix(); // may ask for 4 more bytes (checksum)
            int more = fixedSize - FrameCodec.PREFIX_SIZE;
            if (in.remaining() >= more) {
                head.put(FrameCodec.PREFIX_SIZE, in, in.position(), more).position(fixedSize);
                in.position(in.position() + more);
                return true;
            }
        }
        while (in.hasRemaining() && head.position() < fixedSize) {
            head.put(in.get());
            if (head.position() == FrameCodec.PREFIX_SIZE) {
                checkPrefix();
            }
        }
        return head.position() == fixedSize;
    }

    /** TLS record content types and the major version byte every TLS record starts with. */
    private static final int TLS_HANDSHAKE = 0x16;
    private static final int TLS_ALERT = 0x15;
    private static final int TLS_MAJOR_VERSION = 0x03;

    /** HTTP/1.x's first bytes: a response's "HTTP/", or a request method and a space. */
    private static final String[] HTTP_STARTS = {"HTTP/", "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ",
            "PATCH ", "CONNECT ", "TRACE ", "PRI "};

    private boolean looksLikeHttp() {
        int n = Math.min(head.position(), FrameCodec.HEADER_SIZE);
        for (String start : HTTP_STARTS) {
            int len = Math.min(start.length(), n);
            boolean same = len >= 2;
            for (int i = 0; i < len && same; i++) {
                same = head.get(i) == start.charAt(i);
            }
            if (same) {
                return true;
            }
        }
        return false;
    }

    private void checkPrefix() {
        int m0 = head.get(FrameCodec.MAGIC_OFFSET) & 0xFF;
        int m1 = head.get(FrameCodec.MAGIC_OFFSET + 1) & 0xFF;
        if ((m0 == TLS_HANDSHAKE || m0 == TLS_ALERT) && m1 == TLS_MAJOR_VERSION && frames == 0) {
            throw new ForeignProtocolException(m0 == TLS_HANDSHAKE
                    ? "the peer sent a TLS handshake, not an rpc-boot frame: it speaks TLS and this side is not"
                            + " configured for TLS"
                    : "the peer answered with a TLS alert, not an rpc-boot frame: it requires TLS and this side is"
                            + " not configured for TLS");
        }
        if (m0 != FrameCodec.MAGIC_0 || m1 != FrameCodec.MAGIC_1) {
            if (frames == 0 && looksLikeHttp()) {
                throw new ForeignProtocolException(head.get(0) == 'H'
                        ? "the peer answered in HTTP, not the rpc-boot protocol: this address is a web port (such as"
                                + " server.port), not an rpc port (rpc.server.port)"
                        : "the peer sent an HTTP request, not an rpc-boot frame: it is a web client that was given"
                                + " the rpc port (rpc.server.port)");
            }
            String message = String.format("bad magic 0x%02X%02X at the start of frame %d (expected 0x5242):"
                    + " the peer does not speak the rpc-boot protocol", m0, m1, frames);
            throw frames == 0 ? new ForeignProtocolException(message) : new ProtocolException(message);
        }
        int version = head.get(FrameCodec.VERSION_OFFSET) & 0xFF;
        if (version != FrameCodec.VERSION) {
            throw new ProtocolException("unsupported protocol version " + version + " (this side speaks "
                    + FrameCodec.VERSION + ")");
        }
        int code = head.get(FrameCodec.TYPE_OFFSET) & 0xFF;
        FrameType t = FrameType.of(code);
        if (t == null) {
            throw new ProtocolException("unknown frame type " + code);
        }
        type = t;
        flags = head.get(FrameCodec.FLAGS_OFFSET) & 0xFF;
        if ((flags & ~FrameCodec.KNOWN_FLAGS) != 0) {
            throw new ProtocolException(String.format("unknown flags 0x%02X in a %s frame", flags, type));
        }
        if ((flags & FrameCodec.FLAG_HEARTBEAT_REPLY) != 0 && type != FrameType.HEARTBEAT) {
            throw new ProtocolException("heartbeat-reply flag on a " + type + " frame");
        }
        fixedSize = (flags & FrameCodec.FLAG_CHECKSUM) != 0 ? FrameCodec.HEADER_SIZE + FrameCodec.CHECKSUM_SIZE : FrameCodec.HEADER_SIZE;
    }

    private void startFrame(ByteBuffer in, Consumer<Frame> sink) {
        if (head.get(FrameCodec.RESERVED_OFFSET) != 0) {
            throw new ProtocolException("reserved header byte is " + (head.get(FrameCodec.RESERVED_OFFSET) & 0xFF) + ", must be 0");
        }
        long header = Integer.toUnsignedLong(head.getInt(FrameCodec.HEADER_LENGTH_OFFSET));
        long body = Integer.toUnsignedLong(head.getInt(FrameCodec.BODY_LENGTH_OFFSET));
        if (header > limits.maxHeaderSize()) {
            throw new LimitExceededException("header_size", "header entries of " + header + " bytes in a " + type
                    + " frame exceed the limit of " + limits.maxHeaderSize() + " bytes");
        }
        headerLength = (int) header;
        long frameSize = fixedSize + header + body;
        if (frameSize > codec.maxFrameSize()) {
            if (type != FrameType.REQUEST && type != FrameType.ONE_WAY && type != FrameType.RESPONSE) {
                throw new LimitExceededException("frame_size", "a " + type + " frame of " + frameSize
                        + " bytes exceeds the limit of " + codec.maxFrameSize() + " bytes");
            }
            // answerable: keep the header entries, skip the body without holding it
            oversize = true;
            oversizeBytes = frameSize;
            skipLeft = body;
            restLength = headerLength;
        } else {
            restLength = (int) (header + body);
        }
        if (restLength == 0) {
            if (!oversize) {
                sink.accept(complete(null));
            }
            return; // an oversize frame without header entries: skip its body next
        }
        int first = Math.min(restLength, Math.max(FIRST_CHUNK, in.remaining()));
        rest = codec.pool().acquire(first);
    }

    /** Copies bytes of the frame being gathered, growing its buffer as they arrive. */
    private void gather(ByteBuffer in, Consumer<Frame> sink) {
        PooledBuffer r = rest;
        ByteBuffer target = r.buffer();
        if (!target.hasRemaining()) {
            r = grow(r, in.remaining());
            target = r.buffer();
        }
        int n = Math.min(target.remaining(), in.remaining());
        target.put(target.position(), in, in.position(), n); // absolute: no view of either buffer
        target.position(target.position() + n);
        in.position(in.position() + n);
        if (target.position() == restLength) {
            rest = null;
            target.flip();
            if (oversize) {
                if (skipLeft == 0) {
                    sink.accept(completeOversize(r));
                } else {
                    skipping = r; // the header entries wait while the body is skipped
                }
            } else {
                sink.accept(complete(r));
            }
        }
    }

    private void skipBody(ByteBuffer in, Consumer<Frame> sink) {
        int n = (int) Math.min(skipLeft, in.remaining());
        in.position(in.position() + n);
        skipLeft -= n;
        if (skipLeft == 0) {
            PooledBuffer h = skipping;
            skipping = null;
            sink.accept(completeOversize(h));
        }
    }

    /** At least doubles the buffer (and makes room for what is already here), never past the frame. */
    private PooledBuffer grow(PooledBuffer r, int incoming) {
        ByteBuffer old = r.buffer();
        int received = old.position();
        int size = (int) Math.min(restLength, Math.max(2L * received, (long) received + incoming));
        PooledBuffer bigger = codec.pool().acquire(size);
        bigger.buffer().put(0, old, 0, received).position(received);
        rest = bigger;
        r.release();
        return bigger;
    }

    /** The whole frame is here ({@code r} holds header entries and body; null when both are empty). */
    private Frame complete(@Nullable PooledBuffer r) {
        try {
            ByteBuffer bytes = r == null ? EMPTY : r.buffer().order(ByteOrder.LITTLE_ENDIAN);
            if ((flags & FrameCodec.FLAG_CHECKSUM) != 0) {
                verifyChecksum(bytes);
            }
            parseHeaders(bytes);
            frames++;
            int bodyLength = bytes.limit() - headerLength;
            PooledBuffer storage = r;
            ByteBuffer bodyBytes = bytes;
            int bodyOffset = headerLength;
            if (bodyLength == 0 && r != null) {
                r.release(); // nothing for the receiver to hold, and nothing to keep pointing at
                storage = null;
                bodyBytes = EMPTY;
                bodyOffset = 0;
            }
            long inflateLimit = (flags & FrameCodec.FLAG_COMPRESSED) == 0 ? 0
                    : Math.min(codec.maxFrameSize(), (long) limits.maxInflateRatio() * bodyLength + INFLATE_ALLOWANCE);
            return new Frame(type, flags, head.get(FrameCodec.SERIALIZATION_OFFSET) & 0xFF,
                    head.get(FrameCodec.STATUS_OFFSET) & 0xFF, head.getLong(FrameCodec.REQUEST_ID_OFFSET), parsedKnown,
                    parsedAttachments, parsedDeadline, storage, bodyBytes, bodyOffset, bodyLength, inflateLimit, 0,
                    codec.pool(), limits.maxDecodeRatio());
        } catch (RuntimeException e) {
            if (r != null && !r.isReleased()) {
                r.release();
            }
            throw e;
        } finally {
            reset();
        }
    }

    /** An oversize request or response: its header entries (in {@code h}, or none), no body. */
    private Frame completeOversize(@Nullable PooledBuffer h) {
        try {
            ByteBuffer bytes = h == null ? EMPTY : h.buffer().order(ByteOrder.LITTLE_ENDIAN);
            parseHeaders(bytes);
            frames++;
            return new Frame(type, flags, head.get(FrameCodec.SERIALIZATION_OFFSET) & 0xFF,
                    head.get(FrameCodec.STATUS_OFFSET) & 0xFF, head.getLong(FrameCodec.REQUEST_ID_OFFSET), parsedKnown,
                    parsedAttachments, parsedDeadline, null, EMPTY, 0, 0, 0, oversizeBytes,
                    codec.pool(), limits.maxDecodeRatio());
        } finally {
            if (h != null) {
                h.release();
            }
            reset();
        }
    }

    private void reset() {
        head.clear();
        fixedSize = FrameCodec.HEADER_SIZE;
        oversize = false;
        oversizeBytes = 0;
        restLength = 0;
        partialSince = 0;
    }

    private void verifyChecksum(ByteBuffer rest) {
        CRC32C crc = new CRC32C();
        crc.update(head.array(), 0, FrameCodec.HEADER_SIZE);
        crc.update(rest.duplicate());
        int expected = head.getInt(FrameCodec.CHECKSUM_OFFSET);
        int actual = (int) crc.getValue();
        if (expected != actual) {
            throw new ProtocolException(String.format("checksum mismatch in %s frame %d: header says 0x%08X,"
                    + " bytes give 0x%08X", type, head.getLong(FrameCodec.REQUEST_ID_OFFSET), expected, actual));
        }
    }

    /**
     * Parses the header entries (the first {@code headerLength} bytes): sets {@link #parsedKnown}
     * (well-known values by id; a shared empty array when there are none), {@link #parsedDeadline},
     * and {@link #parsedAttachments} (a copy of the header block when it holds attachments, parsed
     * only if someone asks; null otherwise). Attachments are counted against their limit here.
     */
    private void parseHeaders(ByteBuffer bytes) {
        parsedKnown = NO_KNOWN;
        parsedDeadline = 0;
        parsedAttachments = null;
        if (headerLength == 0) {
            return;
        }
        int attachments = 0;
        BinaryReader in = headerReader.reset(bytes, 0, headerLength);
        try {
            while (in.hasRemaining()) {
                int id = in.readVarInt32();
                if (id == 0) {
                    if (++attachments > limits.maxAttachments()) {
                        throw new LimitExceededException("attachments", "more than " + limits.maxAttachments()
                                + " attachments in a " + type + " frame");
                    }
                    skipString(in);
                    skipString(in);
                } else if (id == Headers.DEADLINE_ID) {
                    readDeadline(in);
                } else if (id > 0 && id < Headers.KNOWN_IDS) {
                    keepKnown(id, recentValue(id, in));
                } else if (id > 0) {
                    skipString(in); // an id from a newer peer: skipped
                } else {
                    throw new ProtocolException("header entry id " + Integer.toUnsignedLong(id) + " is out of range");
                }
            }
        } catch (SerializationException e) {
            throw new ProtocolException("malformed header entries: " + e.getMessage(), e);
        }
        if (attachments > 0) {
            byte[] copy = new byte[headerLength];
            bytes.get(0, copy);
            parsedAttachments = copy;
        }
    }

    private static void skipString(BinaryReader in) {
        in.skip(in.readLength("header string length", Integer.MAX_VALUE, 1));
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

    /**
     * The value of a well-known header. Service, method, version and group repeat from frame to
     * frame on a connection, so the last value of each (up to {@value #MAX_REMEMBERED_VALUE} bytes)
     * is kept and reused when the bytes match: no new string per request, and no large value pinned.
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
        if (length <= MAX_REMEMBERED_VALUE) {
            recentBytes[id] = bytes;
            recent[id] = value;
        }
        return value;
    }

    /** Whether part of a frame has been received and not yet completed. */
    public boolean hasPartialFrame() {
        return rest != null || skipping != null || skipLeft > 0 || head.position() > 0;
    }

    /**
     * When the read that brought the first byte of the frame now being received ended
     * ({@link System#nanoTime()}), or 0 when no frame is partly received. For the frame-completion
     * deadline: see {@link PeerLimits#frameTimeout()}.
     */
    public long partialFrameSince() {
        long since = partialSince;
        return since != 0 && hasPartialFrame() ? since : 0;
    }

    /** Counts the frame being received as started now (reading it was paused by this side). */
    public void restartFrameClock() {
        if (partialSince != 0) {
            partialSince = System.nanoTime();
        }
    }

    /** Releases a partly received frame; later input is ignored. Idempotent. */
    @Override
    public void close() {
        closed = true;
        PooledBuffer r = rest;
        rest = null;
        if (r != null) {
            r.release();
        }
        PooledBuffer s = skipping;
        skipping = null;
        if (s != null) {
            s.release();
        }
        skipLeft = 0;
        head.clear();
    }
}
