package io.rpcboot.core.internal.protocol;

import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.RpcStatus;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.serialize.BinaryReader;
import org.jspecify.annotations.Nullable;

/**
 * A decoded frame. It holds a pooled buffer with its body: whoever receives the frame releases it,
 * exactly once, with {@link #release()} (a frame without a body holds nothing, and release is a
 * no-op). Outbound frames are built with {@link FrameCodec#start}.
 *
 * <p>A compressed body arrives compressed and is inflated by the first {@link #body()} or
 * {@link #bodyReader()} call, on the thread that reads it (for a server in pool mode, a worker, not
 * the I/O loop), into a buffer that grows as output appears and may never exceed the frame's
 * inflation budget (the frame limit, and {@link PeerLimits#maxInflateRatio()} times the compressed
 * size); past it the call throws a {@link LimitExceededException}. Not thread-safe: one thread reads
 * a frame at a time.
 */
public final class Frame {

    private final FrameType type;
    private final int flags;
    private final int serializationId;
    private final int statusCode;
    private final long requestId;
    /** Well-known header values by id (index 0 unused); attachments separately, null when none. */
    private final String[] known;
    /** The header block when it holds attachments (parsed on first use), else null. */
    private final byte @Nullable [] attachmentBlock;
    private @Nullable Map<String, String> attachments;
    /** The deadline header when it arrived as a plain decimal (kept as a number, no string made), else 0. */
    private final long deadline;
    private @Nullable PooledBuffer storage;
    /** The body is {@code bodyLength} bytes of {@code bodyBytes} from {@code bodyOffset} (a little-endian buffer). */
    private ByteBuffer bodyBytes;
    private int bodyOffset;
    private int bodyLength;
    /** For a body still compressed: the most it may inflate to; 0 once inflated, or when it never was compressed. */
    private long inflateLimit;
    /** For an oversize frame: its size as announced (its body was skipped); 0 otherwise. */
    private final long oversizeBytes;
    private final @Nullable BufferPool pool;
    private final int decodeRatio;

    /** {@link #deadlineMillis()} when the deadline header is not a decimal number. */
    public static final long BAD_DEADLINE = Long.MIN_VALUE;

    Frame(FrameType type, int flags, int serializationId, int statusCode, long requestId, String[] known,
          byte @Nullable [] attachmentBlock, long deadline, @Nullable PooledBuffer storage, ByteBuffer bodyBytes,
          int bodyOffset, int bodyLength, long inflateLimit, long oversizeBytes, @Nullable BufferPool pool,
          int decodeRatio) {
        this.type = type;
        this.flags = flags;
        this.serializationId = serializationId;
        this.statusCode = statusCode;
        this.requestId = requestId;
        this.known = known;
        this.attachmentBlock = attachmentBlock;
        this.deadline = deadline;
        this.storage = storage;
        this.bodyBytes = bodyBytes;
        this.bodyOffset = bodyOffset;
        this.bodyLength = bodyLength;
        this.inflateLimit = inflateLimit;
        this.oversizeBytes = oversizeBytes;
        this.pool = pool;
        this.decodeRatio = decodeRatio;
    }

    public FrameType type() {
        return type;
    }

    /** The raw flags byte as received. */
    public int flags() {
        return flags;
    }

    /** For a heartbeat: whether it answers one. */
    public boolean isHeartbeatReply() {
        return (flags & FrameCodec.FLAG_HEARTBEAT_REPLY) != 0;
    }

    /**
     * Whether the frame was larger than the receiver's frame limit: its header entries are here, its
     * body was skipped unread. The receiver answers it (a request) or fails its call (a response).
     */
    public boolean isOversize() {
        return oversizeBytes > 0;
    }

    /** For an {@linkplain #isOversize() oversize} frame, its size as announced; 0 otherwise. */
    public long oversizeBytes() {
        return oversizeBytes;
    }

    /** Bytes of the body as it is now: as received until a compressed body is first read, inflated after. */
    public int bodyLength() {
        return bodyLength;
    }

    /** Whether the body arrived compressed (it is inflated when first read). */
    public boolean wasCompressed() {
        return (flags & FrameCodec.FLAG_COMPRESSED) != 0;
    }

    public int serializationId() {
        return serializationId;
    }

    public RpcStatus status() {
        return RpcStatus.of(statusCode);
    }

    /** The status byte as received, also for codes this side does not know. */
    public int statusCode() {
        return statusCode;
    }

    public long requestId() {
        return requestId;
    }

    /** Header entries by key (well-known keys by their names in {@link Headers}), in id order then attachments. */
    public Map<String, String> headers() {
        Map<String, String> all = new LinkedHashMap<>();
        for (int id = 1; id < Headers.KNOWN_IDS; id++) {
            String value = known(id);
            if (value != null) {
                all.put(Headers.keyOf(id), value);
            }
        }
        all.putAll(attachments());
        return all;
    }

    /**
     * The call metadata a request carries: its attachments and, if present, {@code traceparent}
     * (read-only). The empty map, and no parsing, when it carries none.
     */
    public Map<String, String> metadata() {
        String traceparent = known(Headers.TRACEPARENT_ID);
        if (attachmentBlock == null) {
            return traceparent == null ? Map.of() : Map.of(Headers.TRACEPARENT, traceparent);
        }
        if (traceparent == null) {
            return attachments();
        }
        Map<String, String> all = new LinkedHashMap<>(attachments());
        all.put(Headers.TRACEPARENT, traceparent);
        return Collections.unmodifiableMap(all);
    }

    /** One header's value, or null; no map is built for it. */
    public @Nullable String header(String key) {
        int id = Headers.idOf(key);
        if (id > 0) {
            return known(id);
        }
        return attachmentBlock == null ? null : attachments().get(key);
    }

    /** The attachments, parsed from the header block on first use (their count was checked on arrival). */
    private Map<String, String> attachments() {
        if (attachmentBlock == null) {
            return Map.of();
        }
        Map<String, String> parsed = attachments;
        if (parsed == null) {
            parsed = new LinkedHashMap<>();
            BinaryReader in = new BinaryReader(ByteBuffer.wrap(attachmentBlock), 0, attachmentBlock.length);
            while (in.hasRemaining()) {
                int id = in.readVarInt32();
                if (id == 0) {
                    parsed.put(in.readString(), in.readString());
                } else {
                    in.skip(in.readLength("header value length", Integer.MAX_VALUE, 1));
                }
            }
            attachments = parsed = Collections.unmodifiableMap(parsed);
        }
        return parsed;
    }

    private @Nullable String known(int id) {
        if (id == Headers.DEADLINE_ID && deadline != 0) {
            return Long.toString(deadline);
        }
        return id < known.length ? known[id] : null;
    }

    /**
     * The {@link Headers#DEADLINE} header as milliseconds since the epoch: 0 when there is none,
     * {@link #BAD_DEADLINE} when it is not a decimal number. Allocates nothing for a well-formed one.
     */
    public long deadlineMillis() {
        if (deadline != 0) {
            return deadline;
        }
        String value = Headers.DEADLINE_ID < known.length ? known[Headers.DEADLINE_ID] : null;
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return BAD_DEADLINE;
        }
    }

    /**
     * The body (inflated if it was compressed), read-only; valid until {@link #release()}.
     *
     * @throws LimitExceededException if a compressed body inflates past its budget
     * @throws ProtocolException      if a compressed body is corrupt
     */
    public ByteBuffer body() {
        inflateIfCompressed();
        return bodyBytes.slice(bodyOffset, bodyLength).asReadOnlyBuffer();
    }

    /**
     * A reader over the body (no view of the buffer is made: it reads the pooled bytes in place),
     * with the receiver's decode budget ({@link PeerLimits#maxDecodeRatio()}).
     *
     * @throws LimitExceededException if a compressed body inflates past its budget
     * @throws ProtocolException      if a compressed body is corrupt
     */
    public BinaryReader bodyReader() {
        inflateIfCompressed();
        BinaryReader reader = new BinaryReader(bodyBytes, bodyOffset, bodyLength);
        return decodeRatio == BinaryReader.DEFAULT_DECODE_RATIO ? reader : reader.withDecodeRatio(decodeRatio);
    }

    private void inflateIfCompressed() {
        if (inflateLimit == 0) {
            return;
        }
        PooledBuffer inflated = Inflation.inflate(pool, bodyBytes.slice(bodyOffset, bodyLength)
                .order(ByteOrder.LITTLE_ENDIAN), inflateLimit); // a failure leaves the body compressed: it throws again
        inflateLimit = 0;
        if (storage != null) {
            storage.release();
        }
        storage = inflated;
        bodyBytes = inflated.buffer().order(ByteOrder.LITTLE_ENDIAN);
        bodyOffset = 0;
        bodyLength = bodyBytes.limit();
    }

    /** Gives the body's memory back to the pool. Idempotent: later calls do nothing. */
    public void release() {
        PooledBuffer s = storage;
        storage = null;
        if (s != null) {
            s.release();
        }
    }

    @Override
    public String toString() {
        return type + "[id=" + requestId + ", status=" + statusCode + ", headers=" + headers() + ", body="
                + bodyLength + "B]";
    }
}
