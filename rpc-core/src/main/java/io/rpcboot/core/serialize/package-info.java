/**
 * Bytes and values: {@link io.rpcboot.core.serialize.BinaryWriter} and
 * {@link io.rpcboot.core.serialize.BinaryReader} (little-endian primitives, varints, bounds-checked
 * reads), the object codec behind the built-in {@code binary} {@link io.rpcboot.core.serialize.Serialization},
 * and the {@link io.rpcboot.core.serialize.TypeAllowList} that decides which types a decoder may
 * instantiate. The byte formats are specified in {@code docs/protocol.md}.
 */
@NullMarked
package io.rpcboot.core.serialize;

import org.jspecify.annotations.NullMarked;
