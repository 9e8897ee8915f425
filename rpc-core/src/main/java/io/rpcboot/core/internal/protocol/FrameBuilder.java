package io.rpcboot.core.internal.protocol;

import io.rpcboot.core.RpcStatus;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;

import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.serialize.BinaryWriter;

/**
 * Builds one outbound frame in a pooled buffer: the fixed header first, then header entries
 * ({@link #header}), then the body written straight into {@link #body()} (no copy), then
 * {@link #finish()} patches lengths and flags, compresses a large body and adds the checksum.
 * One thread, one frame; call {@link #finish()} or {@link #discard()} exactly once.
 */
public final class FrameBuilder {

    private final FrameCodec codec;
    private final FrameType type;
    private final int fixedSize;
    private PooledWriter out;
    private int bodyStart = -1;
    private int flags;

    FrameBuilder(FrameCodec codec, FrameType type, long requestId, int serializationId, RpcStatus status) {
        this.codec = codec;
        this.type = type;
        this.fixedSize = codec.checksum() ? FrameCodec.HEADER_SIZE + FrameCodec.CHECKSUM_SIZE : FrameCodec.HEADER_SIZE;
        this.flags = codec.checksum() ? FrameCodec.FLAG_CHECKSUM : 0;
        this.out = PooledWriter.start(codec.pool(), 256);
        out.writeByte(FrameCodec.MAGIC_0);
        out.writeByte(FrameCodec.MAGIC_1);
        out.writeByte(FrameCodec.VERSION);
        out.writeByte(type.code());
        out.writeByte(0); // flags, patched in finish()
        out.writeByte(serializationId);
        out.writeByte(status.code());
        out.writeByte(0); // reserved
        out.writeInt64(requestId);
        out.writeInt32(0); // header length, patched
        out.writeInt32(0); // body length, patched
        if (codec.checksum()) {
            out.writeInt32(0); // CRC32C, patched
        }
    }

    /** Adds a header entry; only before {@link #body()}. */
    public FrameBuilder header(String key, String value) {
        entryKey(key).writeString(value);
        return this;
    }

    /** Adds a header entry whose value is {@code value} in decimal, without making a string of it. */
    public FrameBuilder header(String key, long value) {
        entryKey(key).writeDecimalString(value);
        return this;
    }

    /**
     * Adds call metadata as header entries, within the header budget the receiving side enforces
     * ({@code limits}: entry count and header bytes), so that metadata too large fails the call
     * here, with a message, instead of closing the connection there.
     *
     * @throws IllegalArgumentException naming the limit and its property when the metadata does not fit
     */
    public FrameBuilder metadata(Map<String, String> metadata, PeerLimits limits) {
        if (metadata.isEmpty()) {
            return this;
        }
        // checked before anything is written: the count, and the characters (never more than their
        // UTF-8 bytes), so that metadata far over the budget is refused without being encoded
        int attachments = 0;
        long chars = out.position() - fixedSize;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (Headers.idOf(e.getKey()) == 0) {
                attachments++;
            }
            chars += e.getKey().length() + e.getValue().length();
        }
        if (attachments > limits.maxAttachments()) {
            throw new IllegalArgumentException("the call carries " + attachments + " metadata entries; at most "
                    + limits.maxAttachments() + " may be sent (rpc.*.limits.max-attachments)");
        }
        if (chars > limits.maxHeaderSize()) {
            throw tooLarge(chars, limits);
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            header(e.getKey(), e.getValue());
        }
        int headerBytes = out.position() - fixedSize;
        if (headerBytes > limits.maxHeaderSize()) {
            throw tooLarge(headerBytes, limits);
        }
        return this;
    }

    private static IllegalArgumentException tooLarge(long atLeast, PeerLimits limits) {
        return new IllegalArgumentException("the call's header entries (its metadata included) take at least " + atLeast
                + " bytes; at most " + limits.maxHeaderSize() + " may be sent (rpc.*.limits.max-header-size)");
    }

    /** Writes an entry's key (its id, and the key itself for an attachment); the value follows. */
    private BinaryWriter entryKey(String key) {
        if (bodyStart >= 0) {
            throw new IllegalStateException("header entries go before the body");
        }
        int id = Headers.idOf(key);
        out.writeVarInt32(id);
        if (id == 0) {
            out.writeString(key);
        }
        return out;
    }

    /** Marks a heartbeat as the answer to one. */
    public FrameBuilder heartbeatReply() {
        if (type != FrameType.HEARTBEAT) {
            throw new IllegalStateException("only a heartbeat can be a heartbeat reply, not a " + type);
        }
        flags |= FrameCodec.FLAG_HEARTBEAT_REPLY;
        return this;
    }

    /** The writer for the body; header entries can no longer be added. */
    public BinaryWriter body() {
        if (bodyStart < 0) {
            bodyStart = out.position();
        }
        return out;
    }

    /**
     * Completes the frame and hands over its buffer (position 0, limit = frame size).
     *
     * @throws ProtocolException if the frame is larger than the codec's maximum frame size (the
     *                           buffer is released)
     */
    public PooledBuffer finish() {
        body();
        int headerLength = bodyStart - fixedSize;
        int bodyLength = out.position() - bodyStart;
        if (codec.compressionThreshold() > 0 && bodyLength >= codec.compressionThreshold()) {
            bodyLength = compressBody(bodyLength);
        }
        long frameSize = (long) fixedSize + headerLength + bodyLength;
        if (frameSize > codec.maxFrameSize()) {
            out.discard();
            throw new FrameTooLargeException(frameSize, codec.maxFrameSize(), codec.limitProperty());
        }
        out.setByte(FrameCodec.FLAGS_OFFSET, flags);
        out.setInt32(FrameCodec.HEADER_LENGTH_OFFSET, headerLength);
        out.setInt32(FrameCodec.BODY_LENGTH_OFFSET, bodyLength);
        if (codec.checksum()) {
            CRC32C crc = new CRC32C();
            crc.update(out.view(0, FrameCodec.HEADER_SIZE));
            crc.update(out.view(fixedSize, out.position()));
            out.setInt32(FrameCodec.CHECKSUM_OFFSET, (int) crc.getValue());
        }
        return out.finish();
    }

    /** Replaces the body with u32 uncompressed length + zlib stream, if that is smaller. */
    private int compressBody(int bodyLength) {
        ByteBuffer plain = out.view(bodyStart, bodyStart + bodyLength);
        PooledWriter compressed = PooledWriter.start(codec.pool(), bodyStart + bodyLength / 2 + 64);
        compressed.writeRaw(out.view(0, bodyStart));
        compressed.writeInt32(bodyLength);
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
        try {
            deflater.setInput(plain);
            deflater.finish();
            byte[] chunk = new byte[8192];
            while (!deflater.finished()) {
                int n = deflater.deflate(chunk);
                compressed.writeRaw(chunk, 0, n);
                if (compressed.position() - bodyStart >= bodyLength) {
                    compressed.discard(); // no gain: send it as it is
                    return bodyLength;
                }
            }
        } finally {
            deflater.end();
        }
        out.discard();
        out = compressed;
        flags |= FrameCodec.FLAG_COMPRESSED;
        return out.position() - bodyStart;
    }

    /** Abandons the frame and releases its buffer. */
    public void discard() {
        out.discard();
    }
}
