/**
 * Frames on the wire: a fixed 24-byte header (28 with a CRC32C), header entries and a body; see
 * {@code docs/protocol.md} for the exact layout, the tables and the test vectors.
 * {@link io.rpcboot.core.internal.protocol.FrameCodec} builds frames into pooled buffers and makes the
 * per-connection {@link io.rpcboot.core.internal.protocol.FrameDecoder}s.
 */
@NullMarked
package io.rpcboot.core.internal.protocol;

import org.jspecify.annotations.NullMarked;
