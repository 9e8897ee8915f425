package io.rpcboot.core.protocol;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import io.rpcboot.core.buffer.PooledBuffer;
import io.rpcboot.core.serialize.BinaryReader;
import org.jspecify.annotations.Nullable;

/**
 * A decoded frame. It holds a pooled buffer with its body: whoever receives the frame releases it,
 * exactly once, with {@link #release()} (a frame without a body holds nothing, and release is a
 * no-op). Outbound frames are built with {@link FrameCodec#start}.
 */
public final class Frame {

    private final FrameType type;
    private final int flags;
    private final int serializationId;
    private final int statusCode;
    private final long requestId;
    /** Well-known header values by id (index 0 unused); attachments separately, null when none. */
    private final String[] known;
    private final @Nullable Map<String, String> attachments;
    /** The deadline header when it arrived as a plain decimal (kept as a number, no string made), else 0. */
    private final long deadline;
    private final @Nullable PooledBuffer storage;
    /** The body is {@code bodyLength} bytes of {@code bodyBytes} from {@code bodyOffset} (a little-endian buffer). */
    private final ByteBuffer bodyBytes;
    private final int bodyOffset;
    private final int bodyLength;

    /** {@link #deadlineMillis()} when the deadline header is not a decimal number. */
    public static final long BAD_DEADLINE = Long.MIN_VALUE;

    Frame(FrameType type, int flags, int serializationId, int statusCode, long requestId, String[] known,
          @Nullable Map<String, String> attachments, long deadline, @Nullable PooledBuffer storage, ByteBuffer bodyBytes,
          int bodyOffset, int bodyLength) {
        this.type = type;
        this.flags = flags;
        this.serializationId = serializationId;
        this.statusCode = statusCode;
        this.requestId = requestId;
        this.known = known;
        this.attachments = attachments;
        this.deadline = deadline;
        this.storage = storage;
        this.bodyBytes = bodyBytes;
        this.bodyOffset = bodyOffset;
        this.bodyLength = bodyLength;
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

    /** Whether the body arrived compressed (it is already inflated here). */
    public boolean wasCompressed() {
        return (flags & FrameCodec.FLAG_COMPRESSED) != 0;
    }

    public int serializationId() {
        return serializationId;
    }

    public Status status() {
        return Status.of(statusCode);
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
        if (attachments != null) {
            all.putAll(attachments);
        }
        return all;
    }

    /** One header's value, or null; no map is built for it. */
    public @Nullable String header(String key) {
        int id = Headers.idOf(key);
        if (id > 0) {
            return known(id);
        }
        return attachments == null ? null : attachments.get(key);
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

    /** The body (inflated if it was compressed), read-only; valid until {@link #release()}. */
    public ByteBuffer body() {
        return bodyBytes.slice(bodyOffset, bodyLength).asReadOnlyBuffer();
    }

    /** A reader over the body (no view of the buffer is made: it reads the pooled bytes in place). */
    public BinaryReader bodyReader() {
        return new BinaryReader(bodyBytes, bodyOffset, bodyLength);
    }

    /** Gives the body's memory back to the pool. Exactly once for a frame with a body. */
    public void release() {
        if (storage != null) {
            storage.release();
        }
    }

    @Override
    public String toString() {
        return type + "[id=" + requestId + ", status=" + statusCode + ", headers=" + headers() + ", body="
                + bodyLength + "B]";
    }
}
