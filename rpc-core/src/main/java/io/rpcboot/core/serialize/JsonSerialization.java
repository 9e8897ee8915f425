package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;

/**
 * The {@code json} serialization (id 2) on Jackson 3, the JSON library Spring Boot 4 ships; useful
 * for debugging and for peers that speak JSON. Each value is a varint byte count followed by UTF-8
 * JSON. Values are read as their declared types (no default typing); declared interfaces need
 * Jackson's own type annotations.
 *
 * <p>Hostile input, with the mapper this class builds: nesting deeper than
 * {@link BinaryReader#MAX_DEPTH} and numbers longer than {@value #MAX_NUMBER_LENGTH} characters are
 * refused ({@link #READ_CONSTRAINTS}), and a class name in the JSON (a type annotated
 * {@code @JsonTypeInfo(use = CLASS)}) is accepted only if the {@link TypeAllowList} or the built-in
 * value types hold it and it is a subtype of the declared type, checked before Jackson loads it. A
 * mapper passed in is used as it is: its own constraints and validator apply.
 *
 * <p>Needs {@code tools.jackson.core:jackson-databind} on the class path (an optional dependency).
 */
public final class JsonSerialization implements Serialization {

    public static final int ID = 2;
    public static final String NAME = "json";

    /** Longest number accepted, in characters: longer ones cost quadratic time to parse. */
    public static final int MAX_NUMBER_LENGTH = 1000;

    /** What the mappers this class builds accept: the binary codec's depth, short numbers. */
    public static final StreamReadConstraints READ_CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(BinaryReader.MAX_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .build();

    private final JsonMapper mapper;
    private final Map<Type, TypeCodec<Object>> codecs = new ConcurrentHashMap<>();

    /** With Jackson's defaults, {@link #READ_CONSTRAINTS}, and no class names accepted but the built-in ones. */
    public JsonSerialization() {
        this(new TypeAllowList());
    }

    /**
     * With Jackson's defaults and {@link #READ_CONSTRAINTS}; class names in the JSON are checked
     * against {@code allowList} (the one the {@code binary} serialization uses).
     */
    public JsonSerialization(TypeAllowList allowList) {
        this(JsonMapper.builder(JsonFactory.builder().streamReadConstraints(READ_CONSTRAINTS).build())
                .polymorphicTypeValidator(new AllowListTypeValidator(Objects.requireNonNull(allowList, "allowList")))
                .build());
    }

    /** With the application's mapper (for example Spring Boot's {@code JsonMapper} bean), used as it is. */
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

    /**
     * Accepts a class name read from JSON only if it names an allowed or built-in type that is a
     * subtype of the declared base type. Answers before Jackson resolves the name, so a refused name
     * is never loaded. (Type arguments of a generic class name, {@code a.B<c.D>}, are resolved by
     * Jackson itself once {@code a.B} has passed.)
     */
    private static final class AllowListTypeValidator extends PolymorphicTypeValidator.Base {

        private static final long serialVersionUID = 1L;

        private final transient TypeAllowList allowList;

        AllowListTypeValidator(TypeAllowList allowList) {
            this.allowList = allowList;
        }

        @Override
        public Validity validateSubClassName(DatabindContext context, JavaType baseType, String subClassName) {
            Class<?> named = allowList.lookup(subClassName);
            if (named == null) {
                named = BuiltInTypes.byName(subClassName);
            }
            return named != null && baseType.getRawClass().isAssignableFrom(named) ? Validity.ALLOWED : Validity.DENIED;
        }
    }
}
