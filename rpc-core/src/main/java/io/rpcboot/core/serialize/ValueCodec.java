package io.rpcboot.core.serialize;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** Encodes a non-null value of one shape; nulls and type tags are the {@link SlotCodec}'s business. */
interface ValueCodec<T> {

    void write(BinaryWriter out, T value);

    T read(BinaryReader in);

    /** The value a record or POJO field gets when the sender did not send it. */
    default @Nullable Object absent() {
        return null;
    }

    /** The slots this codec writes its parts through (fields, elements), for eager preparation. */
    default List<SlotCodec> children() {
        return List.of();
    }
}
