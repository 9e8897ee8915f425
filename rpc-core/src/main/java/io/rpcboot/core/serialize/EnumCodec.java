package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.util.HashMap;
import java.util.Map;

/**
 * An enum constant as its name (a string), so that reordering constants or adding new ones does not
 * change the meaning of old bytes. A name the receiver does not know is an error naming both.
 */
final class EnumCodec implements ValueCodec<Object> {

    private final Class<?> type;
    private final Map<String, Object> byName = new HashMap<>();

    EnumCodec(Class<?> type) {
        this.type = type;
        for (Object constant : type.getEnumConstants()) {
            byName.put(((Enum<?>) constant).name(), constant);
        }
    }

    @Override
    public void write(BinaryWriter out, Object value) {
        out.writeString(((Enum<?>) value).name());
    }

    @Override
    public Object read(BinaryReader in) {
        int at = in.offset();
        String name = in.readString();
        Object constant = byName.get(name);
        if (constant == null) {
            throw new SerializationException("unknown constant " + name + " of enum " + type.getName()
                    + " at offset " + at);
        }
        return constant;
    }
}
