package io.rpcboot.core;

import java.time.Duration;
import java.util.Objects;

import io.rpcboot.core.serialize.BinaryReader;

/**
 * What one peer may make this side hold or do on one connection, whichever side it is on (a server
 * applies these to each client, a client to each provider). Immutable and validated: every error
 * names the setting, the value and the allowed range. {@code docs/security.md} lists each limit
 * with its property and the reasoning behind its default.
 *
 * @param maxHeaderSize          bytes of header entries one frame may carry; more closes the connection
 * @param maxAttachments         attachment entries one frame may carry; more closes the connection
 * @param maxInflateRatio        a compressed body may inflate to at most this many times its size (and
 *                               never past the frame limit)
 * @param frameTimeout           a frame whose first byte has arrived must be complete within this time,
 *                               or the connection closes (a peer cannot pin a buffer by trickling)
 * @param maxHeartbeatsPerSecond heartbeats a peer may send per second on average (bursts of twice
 *                               that); a faster peer is disconnected
 * @param lowWaterMark           queued outbound bytes below which the connection takes requests again
 * @param highWaterMark          queued outbound bytes above which this side stops reading requests
 *                               from the peer (a server) until it reads its responses
 * @param maxPendingWriteBytes   queued outbound bytes past which the peer is disconnected: it does
 *                               not read what it asked for
 * @param maxDecodeRatio         decoding a body may create at most this many bytes of objects per byte
 *                               received (plus 64 KiB): see {@link io.rpcboot.core.serialize.BinaryReader}
 */
public record PeerLimits(int maxHeaderSize, int maxAttachments, int maxInflateRatio, Duration frameTimeout,
                         int maxHeartbeatsPerSecond, int lowWaterMark, int highWaterMark, long maxPendingWriteBytes,
                         int maxDecodeRatio) {

    /**
     * 8 KiB of header entries, 64 attachments, 100:1 inflation, 30 s per frame, 10 heartbeats/s,
     * 32/64 KiB water marks, 64 MiB pending, 32 bytes of decoded objects per byte.
     */
    public static final PeerLimits DEFAULTS = builder().build();

    public PeerLimits {
        Objects.requireNonNull(frameTimeout, "frameTimeout");
        require(maxHeaderSize >= 256 && maxHeaderSize <= 1 << 20, "maxHeaderSize must be 256 B .. 1 MiB, was "
                + maxHeaderSize);
        require(maxAttachments >= 0 && maxAttachments <= 4096, "maxAttachments must be 0..4096, was " + maxAttachments);
        require(maxInflateRatio >= 1 && maxInflateRatio <= 1100, "maxInflateRatio must be 1..1100, was "
                + maxInflateRatio);
        require(!frameTimeout.isNegative() && !frameTimeout.isZero(), "frameTimeout must be > 0, was " + frameTimeout);
        require(maxHeartbeatsPerSecond >= 1, "maxHeartbeatsPerSecond must be >= 1, was " + maxHeartbeatsPerSecond);
        require(lowWaterMark >= 0, "lowWaterMark must be >= 0, was " + lowWaterMark);
        require(highWaterMark > lowWaterMark, "highWaterMark must be > lowWaterMark (" + lowWaterMark + "), was "
                + highWaterMark);
        require(maxDecodeRatio >= 1 && maxDecodeRatio <= 4096, "maxDecodeRatio must be 1..4096, was " + maxDecodeRatio);
        require(maxPendingWriteBytes > highWaterMark, "maxPendingWriteBytes must be > highWaterMark (" + highWaterMark
                + "), was " + maxPendingWriteBytes);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects settings; {@link #build()} validates them. */
    public static final class Builder {
        private int maxHeaderSize = 8 * 1024;
        private int maxAttachments = 64;
        private int maxInflateRatio = 100;
        private Duration frameTimeout = Duration.ofSeconds(30);
        private int maxHeartbeatsPerSecond = 10;
        private int lowWaterMark = 32 * 1024;
        private int highWaterMark = 64 * 1024;
        private long maxPendingWriteBytes = 64L * 1024 * 1024;
        private int maxDecodeRatio = BinaryReader.DEFAULT_DECODE_RATIO;

        private Builder() {
        }

        public Builder maxHeaderSize(int bytes) {
            this.maxHeaderSize = bytes;
            return this;
        }

        public Builder maxAttachments(int count) {
            this.maxAttachments = count;
            return this;
        }

        public Builder maxInflateRatio(int ratio) {
            this.maxInflateRatio = ratio;
            return this;
        }

        public Builder frameTimeout(Duration timeout) {
            this.frameTimeout = timeout;
            return this;
        }

        public Builder maxHeartbeatsPerSecond(int rate) {
            this.maxHeartbeatsPerSecond = rate;
            return this;
        }

        public Builder waterMarks(int low, int high) {
            this.lowWaterMark = low;
            this.highWaterMark = high;
            return this;
        }

        public Builder maxPendingWriteBytes(long bytes) {
            this.maxPendingWriteBytes = bytes;
            return this;
        }

        public Builder maxDecodeRatio(int ratio) {
            this.maxDecodeRatio = ratio;
            return this;
        }

        public PeerLimits build() {
            return new PeerLimits(maxHeaderSize, maxAttachments, maxInflateRatio, frameTimeout, maxHeartbeatsPerSecond,
                    lowWaterMark, highWaterMark, maxPendingWriteBytes, maxDecodeRatio);
        }
    }
}
