package io.rpcboot.core.internal.protocol;

import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.RpcStatus;

import java.util.Objects;

import io.rpcboot.core.internal.buffer.BufferPool;

/**
 * The frame format's settings, and the factory for {@link FrameBuilder}s (outbound) and
 * {@link FrameDecoder}s (inbound, one per connection). Immutable and thread-safe.
 *
 * <pre>
 *  offset size field
 *   0     2    magic 0x52 0x42 ("RB")
 *   2     1    version (1)
 *   3     1    type (FrameType code)
 *   4     1    flags: 0x01 body compressed, 0x02 CRC32C present, 0x04 heartbeat reply
 *   5     1    serialization id (0 = none)
 *   6     1    status (RpcStatus code; 0 in requests)
 *   7     1    reserved, 0
 *   8     8    request id, uint64 LE
 *  16     4    header entries length, uint32 LE
 *  20     4    body length, uint32 LE (as sent)
 * [24     4    CRC32C of bytes 0..23, the header entries and the body, uint32 LE]
 *  then the header entries, then the body
 * </pre>
 */
public final class FrameCodec {

    static final int MAGIC_0 = 0x52;
    static final int MAGIC_1 = 0x42;
    /** The protocol version this side speaks. */
    public static final int VERSION = 1;
    /** Size of the fixed header without the optional checksum. */
    public static final int HEADER_SIZE = 24;
    /** Where each field of the fixed header sits (the table above): used by the writer and the reader alike. */
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 2;
    static final int TYPE_OFFSET = 3;
    static final int FLAGS_OFFSET = 4;
    static final int SERIALIZATION_OFFSET = 5;
    static final int STATUS_OFFSET = 6;
    static final int RESERVED_OFFSET = 7;
    static final int REQUEST_ID_OFFSET = 8;
    static final int HEADER_LENGTH_OFFSET = 16;
    static final int BODY_LENGTH_OFFSET = 20;
    /** The optional CRC32C follows the fixed header. */
    static final int CHECKSUM_OFFSET = HEADER_SIZE;
    static final int CHECKSUM_SIZE = 4;
    /** Bytes up to and including the flags: enough to validate the frame's start and know its fixed size. */
    static final int PREFIX_SIZE = FLAGS_OFFSET + 1;

    static final int FLAG_COMPRESSED = 0x01;
    static final int FLAG_CHECKSUM = 0x02;
    static final int FLAG_HEARTBEAT_REPLY = 0x04;
    static final int KNOWN_FLAGS = FLAG_COMPRESSED | FLAG_CHECKSUM | FLAG_HEARTBEAT_REPLY;

    /** Default largest frame accepted or sent: 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

    private final BufferPool pool;
    private final int maxFrameSize;
    private final boolean checksum;
    private final int compressionThreshold;
    private final PeerLimits limits;
    private final String limitProperty;

    /**
     * @param maxFrameSize         largest frame sent or accepted, in bytes (64 .. 2^31-1)
     * @param checksum             whether frames this side sends carry a CRC32C (received ones are
     *                             verified whenever they carry one)
     * @param compressionThreshold bodies of at least this many bytes are sent compressed; 0 never
     */
    public FrameCodec(BufferPool pool, int maxFrameSize, boolean checksum, int compressionThreshold) {
        this(pool, maxFrameSize, checksum, compressionThreshold, PeerLimits.DEFAULTS);
    }

    /** As above, with the budgets inbound frames are held to (header block, attachments, inflation). */
    public FrameCodec(BufferPool pool, int maxFrameSize, boolean checksum, int compressionThreshold, PeerLimits limits) {
        this(pool, maxFrameSize, checksum, compressionThreshold, limits, "max-frame-size");
    }

    /** As above; {@code limitProperty} is what messages about the frame limit name, e.g. {@code rpc.server.max-frame-size}. */
    public FrameCodec(BufferPool pool, int maxFrameSize, boolean checksum, int compressionThreshold, PeerLimits limits,
                      String limitProperty) {
        this.limitProperty = Objects.requireNonNull(limitProperty, "limitProperty");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.pool = Objects.requireNonNull(pool, "pool");
        if (maxFrameSize < 64) {
            throw new IllegalArgumentException("maxFrameSize must be >= 64 bytes, was " + maxFrameSize);
        }
        if (compressionThreshold < 0) {
            throw new IllegalArgumentException("compressionThreshold must be >= 0 (0 = off), was " + compressionThreshold);
        }
        this.maxFrameSize = maxFrameSize;
        this.checksum = checksum;
        this.compressionThreshold = compressionThreshold;
    }

    /** 16 MiB frames, no checksum, no compression. */
    public FrameCodec(BufferPool pool) {
        this(pool, DEFAULT_MAX_FRAME_SIZE, false, 0);
    }

    /** Starts an outbound frame. */
    public FrameBuilder start(FrameType type, long requestId, int serializationId, RpcStatus status) {
        if (serializationId < 0 || serializationId > 255) {
            throw new IllegalArgumentException("serializationId must be 0..255, was " + serializationId);
        }
        return new FrameBuilder(this, type, requestId, serializationId, status);
    }

    /** A decoder for one inbound byte stream. */
    public FrameDecoder newDecoder() {
        return new FrameDecoder(this);
    }

    /** Whether a stream whose first byte is {@code first} may be rpc-boot frames (the magic's first byte). */
    public static boolean isFrameStart(byte first) {
        return (first & 0xFF) == MAGIC_0;
    }

    public BufferPool pool() {
        return pool;
    }

    /** The property that sets {@link #maxFrameSize()}, as messages name it. */
    public String limitProperty() {
        return limitProperty;
    }

    public int maxFrameSize() {
        return maxFrameSize;
    }

    /** The budgets inbound frames are held to. */
    public PeerLimits limits() {
        return limits;
    }

    public boolean checksum() {
        return checksum;
    }

    public int compressionThreshold() {
        return compressionThreshold;
    }
}
