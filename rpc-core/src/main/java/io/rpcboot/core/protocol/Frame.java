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
    private final @Nullable PooledBuffer storage;
    private final ByteBuffer body;

    Frame(FrameType type, int flags, int serializationId, int statusCode, long requestId, String[] known,
          @Nullable Map<String, String> attachments, @Nullable PooledBuffer storage, ByteBuffer body) {
        this.type = type;
        this.flags = flags;
        this.serializationId = serializationId;
        this.statusCode = statusCode;
        this.requestId = requestId;
        this.known = known;
        this.attachments = attachments;
        this.storage = storage;
        this.body = body;
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
        for (int id = 1; id < known.length; id++) {
            if (known[id] != null) {
                all.put(Headers.keyOf(id), known[id]);
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
            return id < known.length ? known[id] : null;
        }
        return attachments == null ? null : attachments.get(key);
    }

    /** The body (inflated if it was compressed), read-only; valid until {@link #release()}. */
    public ByteBuffer body() {
        return body.asReadOnlyBuffer();
    }

    /** A reader over the body. */
    public BinaryReader bodyReader() {
        return new BinaryReader(body);
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
                + body.remaining() + "B]";
    }
}
