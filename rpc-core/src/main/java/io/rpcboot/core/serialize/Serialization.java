package io.rpcboot.core.serialize;

import java.lang.reflect.Type;

import io.rpcboot.core.RpcMethod;
import io.rpcboot.core.SerializationException;
import org.jspecify.annotations.Nullable;

/**
 * A way to turn values into bytes, chosen per frame by its serialization id. Implementations are
 * thread-safe and cache what they build per type. Built in: {@link BinarySerialization}
 * ({@code binary}, id 1, the default) and {@link JsonSerialization} ({@code json}, id 2, on Jackson 3).
 */
public interface Serialization {

    /** The id carried in every frame header; 1..255, unique per process. */
    int id();

    /** The stable lower-case name used in properties, e.g. {@code binary}. */
    String name();

    /**
     * The codec for values declared as {@code type}; built once and cached.
     *
     * @throws SerializationException if the type cannot be serialized, naming it and why
     */
    TypeCodec<Object> codec(Type type);

    /**
     * The codecs of {@code method}'s parameters, in order.
     *
     * @throws SerializationException if this serialization cannot carry one of the types
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    default TypeCodec<Object>[] parameterCodecs(RpcMethod method) {
        TypeCodec<Object>[] codecs = new TypeCodec[method.parameterCount()];
        for (int i = 0; i < codecs.length; i++) {
            codecs[i] = codec(method.parameterType(i));
        }
        return codecs;
    }

    /**
     * The codec of {@code method}'s result; null for a {@code void} method.
     *
     * @throws SerializationException if this serialization cannot carry the type
     */
    default @Nullable TypeCodec<Object> resultCodec(RpcMethod method) {
        return method.returnsVoid() ? null : codec(method.resultType());
    }
}
