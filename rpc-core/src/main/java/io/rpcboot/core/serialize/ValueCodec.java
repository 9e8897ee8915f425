package io.rpcboot.core.serialize;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Encodes a non-null value of one shape; nulls and type tags are the {@link SlotCodec}'s business.
 * {@link #read} charges {@code in}'s decode budget for each object it creates, before creating it.
 */
interface ValueCodec<T> {

    void write(BinaryWriter out, T value);

    T read(BinaryReader in);

    /**
     * The value a record field gets when the sender did not send it; a new object is charged to
     * {@code in}'s decode budget, a shared one costs nothing.
     */
    default @Nullable Object absent(BinaryReader in) {
        return null;
    }

    /** The slots this codec writes its parts through (fields, elements), for eager preparation. */
    default List<SlotCodec> children() {
        return List.of();
    }
}
