/**
 * The memory pool: size-classed, reusable {@link java.nio.ByteBuffer}s (direct by default) handed out
 * as {@link io.rpcboot.core.internal.buffer.PooledBuffer}s that are released exactly once.
 */
@NullMarked
package io.rpcboot.core.internal.buffer;

import org.jspecify.annotations.NullMarked;
