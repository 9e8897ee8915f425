package io.rpcboot.core.serialize;

import org.jspecify.annotations.Nullable;

/**
 * Encodes and decodes values of one declared type (a method parameter or return type, generics
 * included). Obtained once from {@link Serialization#codec(java.lang.reflect.Type)}, then used for
 * every call: no reflection on the hot path. Thread-safe.
 */
public interface TypeCodec<T> {

    /** Appends {@code value} (which may be null unless the type is primitive). */
    void write(BinaryWriter out, @Nullable T value);

    /** Reads one value written by {@link #write}. */
    @Nullable T read(BinaryReader in);
}
