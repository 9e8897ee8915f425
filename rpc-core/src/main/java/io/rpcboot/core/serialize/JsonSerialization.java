package io.rpcboot.core.serialize;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code json} serialization (id 2) on Jackson 3, the JSON library Spring Boot 4 ships; useful
 * for debugging and for peers that speak JSON. Each value is a varint byte count followed by UTF-8
 * JSON. Values are read as their declared types only (no default typing), so the bytes can never
 * name a class to instantiate; declared interfaces need Jackson's own type annotations.
 *
 * <p>Needs {@code tools.jackson.core:jackson-databind} on the class path (an optional dependency).
 */
public final class JsonSerialization implements Serialization {

    public static final int ID = 2;
    public static final String NAME = "json";

    private final JsonMapper mapper;
    private final Map<Type, TypeCodec<Object>> codecs = new ConcurrentHashMap<>();

    /** With Jackson's defaults. */
    public JsonSerialization() {
        this(JsonMapper.builder().build());
    }

    /** With the application's mapper (for example Spring Boot's {@code JsonMapper} bean). */
    public JsonSerialization(JsonMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TypeCodec<Object> codec(Type type) {
        return codecs.computeIfAbsent(Objects.requireNonNull(type, "type"), this::build);
    }

    private TypeCodec<Object> build(Type type) {
        JavaType javaType = mapper.getTypeFactory().constructType(type);
        ObjectWriter writer = mapper.writerFor(javaType);
        ObjectReader reader = mapper.readerFor(javaType);
        boolean primitive = type instanceof Class<?> c && c.isPrimitive();
        return new TypeCodec<>() {
            @Override
            public void write(BinaryWriter out, @Nullable Object value) {
                if (value == null && primitive) {
                    throw new SerializationException("null for primitive type " + type.getTypeName());
                }
                try {
                    out.writeBytes(writer.writeValueAsBytes(value));
                } catch (JacksonException e) {
                    throw new SerializationException("cannot write " + type.getTypeName() + " as JSON: "
                            + e.getOriginalMessage(), e);
                }
            }

            @Override
            public @Nullable Object read(BinaryReader in) {
                int at = in.offset();
                byte[] json = in.readBytes();
                try {
                    return reader.readValue(json);
                } catch (JacksonException e) {
                    throw new SerializationException("cannot read " + type.getTypeName() + " from the JSON at offset "
                            + at + ": " + e.getOriginalMessage(), e);
                }
            }
        };
    }
}
