package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * Builds and caches the codecs of the {@code binary} serialization: one {@link SlotCodec} per
 * declared type and one {@link ValueCodec} per shape, each built once. Also maps classes to the type
 * tags written for open types, and tags back to classes through the {@link TypeAllowList}.
 */
final class CodecFactory {

    /** Tags for values of JDK structural types, whatever their implementation class. */
    static final String LIST_TAG = "java.util.List";
    static final String SET_TAG = "java.util.Set";
    static final String MAP_TAG = "java.util.Map";
    static final String OPTIONAL_TAG = "java.util.Optional";
    static final String ZONE_ID_TAG = "java.time.ZoneId";

    /** The longest type tag accepted from the wire, in UTF-8 bytes; longer ones are refused unread. */
    static final int MAX_TAG_LENGTH = 1024;

    /** The most array dimensions a type tag may name: the JVM's own limit. */
    static final int MAX_ARRAY_DIMENSIONS = 255;

    private static final Map<String, Type> STRUCTURAL_TAGS = Map.of(
            LIST_TAG, List.class, SET_TAG, Set.class, MAP_TAG, Map.class, OPTIONAL_TAG, Optional.class,
            ZONE_ID_TAG, ZoneId.class);

    private final TypeAllowList allowList;
    private final Map<Type, SlotCodec> slots = new ConcurrentHashMap<>();
    private final Map<Type, ValueCodec<Object>> values = new ConcurrentHashMap<>();
    private final Map<String, Class<?>> tagClasses = new ConcurrentHashMap<>();
    private final ClassValue<String> tags = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return computeTag(type);
        }
    };

    CodecFactory(TypeAllowList allowList) {
        this.allowList = allowList;
    }

    SlotCodec slot(Type declared) {
        SlotCodec codec = slots.get(declared);
        if (codec == null) {
            codec = new SlotCodec(declared, this);
            SlotCodec raced = slots.putIfAbsent(declared, codec);
            if (raced != null) {
                codec = raced;
            }
        }
        return codec;
    }

    @SuppressWarnings("unchecked")
    ValueCodec<Object> value(Type type) {
        ValueCodec<Object> codec = values.get(type);
        if (codec == null) {
            codec = (ValueCodec<Object>) build(type);
            ValueCodec<Object> raced = values.putIfAbsent(type, codec);
            if (raced != null) {
                codec = raced;
            }
        }
        return codec;
    }

    private ValueCodec<?> build(Type type) {
        Class<?> raw = Types.raw(type);
        ValueCodec<?> known = ScalarCodecs.forClass(raw);
        if (known == null) {
            known = TimeCodecs.forClass(raw);
        }
        if (known != null) {
            return known;
        }
        if (raw.isArray()) {
            return ContainerCodecs.array(raw, slot(Types.component(type)));
        }
        if (raw.isEnum()) {
            return new EnumCodec(raw);
        }
        if (raw == Optional.class) {
            return ContainerCodecs.optional(slot(Types.argument(type, 0)));
        }
        if (Collection.class.isAssignableFrom(raw)) {
            return ContainerCodecs.collection(raw, slot(Types.argument(type, 0)));
        }
        if (Map.class.isAssignableFrom(raw)) {
            return ContainerCodecs.map(raw, slot(Types.argument(type, 0)), slot(Types.argument(type, 1)));
        }
        if (raw.isRecord()) {
            return StructCodec.forRecord(type, this);
        }
        if (isPojo(raw)) {
            return StructCodec.forPojo(type, this);
        }
        throw new SerializationException("cannot serialize " + type.getTypeName()
                + ": not a record, a class with a no-arg constructor, an enum, an array, a collection, a map,"
                + " an Optional or a supported JDK value type");
    }

    private static boolean isPojo(Class<?> raw) {
        if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers()) || raw.isPrimitive()
                || raw.getName().startsWith("java.") || raw.getName().startsWith("javax.")) {
            return false;
        }
        try {
            raw.getDeclaredConstructor();
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** The tag written before a value of {@code type} in an open slot. */
    String tagOf(Class<?> type) {
        return tags.get(type);
    }

    private static String computeTag(Class<?> type) {
        if (List.class.isAssignableFrom(type)) {
            return LIST_TAG;
        }
        if (Set.class.isAssignableFrom(type)) {
            return SET_TAG;
        }
        if (Collection.class.isAssignableFrom(type)) {
            return LIST_TAG;
        }
        if (Map.class.isAssignableFrom(type)) {
            return MAP_TAG;
        }
        if (type == Optional.class) {
            return OPTIONAL_TAG;
        }
        if (ZoneId.class.isAssignableFrom(type) && type != ZoneOffset.class) {
            return ZONE_ID_TAG;
        }
        if (Enum.class.isAssignableFrom(type) && !type.isEnum()) {
            return type.getSuperclass().getName(); // a constant with a body: tag its enum
        }
        return type.getName();
    }

    /**
     * The codec for writing a value of {@code type} under {@code tag}. The sender's own classes need
     * no allow-list entry: the allow-list guards what a receiver instantiates.
     */
    ValueCodec<Object> forWriting(String tag, Class<?> type) {
        Type structural = STRUCTURAL_TAGS.get(tag);
        return value(structural != null ? structural : Enum.class.isAssignableFrom(type) && !type.isEnum()
                ? type.getSuperclass() : type);
    }

    /**
     * The class a tag names: a structural or built-in value type, a type on the allow-list, or an
     * array of those or of primitives (a JVM descriptor such as {@code [[I} or
     * {@code [Lcom.example.Point;}, parsed in one pass, at most {@link #MAX_ARRAY_DIMENSIONS}
     * dimensions). Never loads a class by name, never initializes one: building its codec (through
     * {@link #value}) is left to the caller, after its own checks.
     *
     * @throws SerializationException naming the type if it is not allowed, or if it names more
     *         array dimensions than the JVM allows
     */
    Class<?> classOfTag(String tag) {
        Class<?> known = tagClasses.get(tag);
        if (known != null) {
            return known;
        }
        Class<?> resolved = resolve(tag);
        if (resolved == null) {
            throw new SerializationException("type " + tag + " is not allowed: it is not reachable from the"
                    + " service interfaces and was not added to the type allow-list (rpc.allowed-types, set on the"
                    + " side that receives the value: the provider for arguments, the consumer for results)");
        }
        tagClasses.putIfAbsent(tag, resolved); // only allowed names are cached: the map stays bounded
        return resolved;
    }

    private @Nullable Class<?> resolve(String tag) {
        int dimensions = 0;
        while (dimensions < tag.length() && tag.charAt(dimensions) == '[') {
            dimensions++;
        }
        if (dimensions == 0) {
            return resolveName(tag);
        }
        if (dimensions > MAX_ARRAY_DIMENSIONS) {
            throw new SerializationException("type tag of " + tag.length() + " characters names an array of "
                    + dimensions + " dimensions, more than the " + MAX_ARRAY_DIMENSIONS + " the JVM allows");
        }
        Class<?> element = resolveElement(tag, dimensions);
        if (element == null) {
            return null;
        }
        Class<?> array = element;
        for (int i = 0; i < dimensions; i++) {
            array = array.arrayType(); // makes the array class; initializes nothing
        }
        return array;
    }

    /** The element type of an array tag: a primitive descriptor, or {@code L<name>;} for a non-array name. */
    private @Nullable Class<?> resolveElement(String tag, int dimensions) {
        int rest = tag.length() - dimensions;
        if (rest == 1) {
            return BuiltInTypes.primitiveByDescriptor(tag.substring(dimensions));
        }
        if (rest > 2 && tag.charAt(dimensions) == 'L' && tag.charAt(tag.length() - 1) == ';'
                && tag.charAt(dimensions + 1) != '[') {
            return resolveName(tag.substring(dimensions + 1, tag.length() - 1));
        }
        return null;
    }

    private @Nullable Class<?> resolveName(String name) {
        Type structural = STRUCTURAL_TAGS.get(name);
        if (structural != null) {
            return (Class<?>) structural;
        }
        Class<?> builtIn = BuiltInTypes.byName(name);
        if (builtIn != null) {
            return builtIn;
        }
        return allowList.lookup(name);
    }
}
