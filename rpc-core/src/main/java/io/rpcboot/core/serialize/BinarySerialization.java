package io.rpcboot.core.serialize;

import java.lang.reflect.Type;
import java.util.HashSet;
import java.util.Objects;

/**
 * The built-in {@code binary} serialization (id 1, the default): compact, schema-driven by the
 * declared types, little-endian, with field tags for schema evolution and type tags checked against
 * a {@link TypeAllowList}. The byte layout is specified in {@code docs/protocol.md}.
 */
public final class BinarySerialization implements Serialization {

    public static final int ID = 1;
    public static final String NAME = "binary";

    private final CodecFactory factory;
    private final TypeAllowList allowList;

    public BinarySerialization(TypeAllowList allowList) {
        this.allowList = Objects.requireNonNull(allowList, "allowList");
        this.factory = new CodecFactory(allowList);
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Also builds every codec the type reaches, so that an unsupported type fails here, not mid-call. */
    @Override
    public TypeCodec<Object> codec(Type type) {
        SlotCodec slot = factory.slot(Objects.requireNonNull(type, "type"));
        slot.prepare(new HashSet<>());
        return slot;
    }

    public TypeAllowList allowList() {
        return allowList;
    }

    @Override
    public String toString() {
        return "BinarySerialization[id=" + ID + "]";
    }
}
