package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.time.ZoneId;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * One place a value can stand (a parameter, a return value, a field, an element), for one declared
 * type. Writes the presence marker and, where the declared type does not fix the shape, the type tag:
 *
 * <pre>
 *  primitive declared type: the value only
 *  otherwise:  0x00                       null
 *              0x01 value                 a value of the declared shape
 *              0x02 tag:string value      a value of the named type (declared type is open)
 * </pre>
 *
 * The value codec is resolved on first use, which lets recursive types (a record holding a list of
 * itself) build without recursion.
 *
 * <p>Every value that can hold others (a record, a collection, a map, an array, an Optional) is
 * read through a slot, and a slot reads its value between {@link BinaryReader#enter()} and
 * {@link BinaryReader#exit()}: nesting deeper than {@link BinaryReader#MAX_DEPTH} is a
 * {@link SerializationException}, never a {@link StackOverflowError}.
 *
 * <p>A type tag from the wire is at most {@link CodecFactory#MAX_TAG_LENGTH} bytes, is resolved to a
 * class through the allow-list only, and must name a subtype of the declared type; only then is a
 * codec built for it, so no class the bytes name is initialized before both checks pass.
 */
final class SlotCodec implements TypeCodec<Object> {

    static final int NULL = 0;
    static final int VALUE = 1;
    static final int TAGGED = 2;

    private enum Kind { PRIMITIVE, CLOSED, OPEN_EXACT, OPEN }

    private final Type declared;
    private final Class<?> raw;
    private final Kind kind;
    private final CodecFactory factory;
    private volatile @Nullable ValueCodec<Object> codec;

    SlotCodec(Type declared, CodecFactory factory) {
        this.declared = declared;
        this.raw = Types.raw(declared);
        this.factory = factory;
        this.kind = kindOf(raw);
    }

    private static Kind kindOf(Class<?> raw) {
        if (raw.isPrimitive()) {
            return Kind.PRIMITIVE;
        }
        boolean structural = Collection.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw)
                || raw == Optional.class || ZoneId.class.isAssignableFrom(raw) || raw.isEnum() || raw.isArray();
        if (structural || Modifier.isFinal(raw.getModifiers())) {
            return Kind.CLOSED;
        }
        if (raw == Object.class || raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            return Kind.OPEN;
        }
        return Kind.OPEN_EXACT;
    }

    private ValueCodec<Object> codec() {
        ValueCodec<Object> c = codec;
        if (c == null) {
            c = factory.value(declared);
            codec = c;
        }
        return c;
    }

    @Override
    public void write(BinaryWriter out, @Nullable Object value) {
        switch (kind) {
            case PRIMITIVE -> {
                if (value == null) {
                    throw new SerializationException("null for primitive type " + raw.getName());
                }
                codec().write(out, value);
            }
            case CLOSED -> {
                if (value == null) {
                    out.writeByte(NULL);
                } else {
                    out.writeByte(VALUE);
                    writeNested(out, codec(), value);
                }
            }
            case OPEN_EXACT -> {
                if (value == null) {
                    out.writeByte(NULL);
                } else if (value.getClass() == raw) {
                    out.writeByte(VALUE);
                    writeNested(out, codec(), value);
                } else {
                    writeTagged(out, value);
                }
            }
            case OPEN -> {
                if (value == null) {
                    out.writeByte(NULL);
                } else {
                    writeTagged(out, value);
                }
            }
        }
    }

    private void writeTagged(BinaryWriter out, Object value) {
        String tag = factory.tagOf(value.getClass());
        out.writeByte(TAGGED);
        out.writeString(tag);
        writeNested(out, factory.forWriting(tag, value.getClass()), value);
    }

    private static void writeNested(BinaryWriter out, ValueCodec<Object> codec, Object value) {
        out.enter();
        codec.write(out, value);
        out.exit();
    }

    private static Object readNested(BinaryReader in, ValueCodec<Object> codec) {
        in.enter();
        Object value = codec.read(in);
        in.exit();
        return value;
    }

    /** Builds now every codec this slot can reach, so an unsupported type fails at registration. */
    void prepare(Set<SlotCodec> visited) {
        if (kind == Kind.OPEN || !visited.add(this)) {
            return;
        }
        for (SlotCodec child : codec().children()) {
            child.prepare(visited);
        }
    }

    @Override
    public @Nullable Object read(BinaryReader in) {
        if (kind == Kind.PRIMITIVE) {
            return codec().read(in);
        }
        int at = in.offset();
        int marker = in.readByte();
        switch (marker) {
            case NULL:
                return null;
            case VALUE:
                if (kind == Kind.OPEN) {
                    throw new SerializationException("value at offset " + at + " declared as " + declared.getTypeName()
                            + " must carry a type tag");
                }
                return readNested(in, codec());
            case TAGGED:
                if (kind == Kind.CLOSED) {
                    throw new SerializationException("value at offset " + at + " declared as " + declared.getTypeName()
                            + " must not carry a type tag");
                }
                return readNested(in, taggedCodec(in, at));
            default:
                throw new SerializationException("unknown value marker " + marker + " at offset " + at
                        + " (expected 0 null, 1 value, 2 tagged value)");
        }
    }

    /**
     * Reads a type tag and returns the codec of the type it names, in this order: the tag's length is
     * checked, the class is looked up on the allow-list (never loaded by name), it is checked to be a
     * subtype of the declared type, and only then is its codec built (which may initialize it).
     */
    private ValueCodec<Object> taggedCodec(BinaryReader in, int at) {
        String tag = in.readString("type tag length", CodecFactory.MAX_TAG_LENGTH);
        Class<?> actual = factory.classOfTag(tag);
        if (!raw.isAssignableFrom(actual)) {
            throw new SerializationException("type " + tag + " at offset " + at + " is not a "
                    + declared.getTypeName());
        }
        return factory.value(actual);
    }

    /**
     * The value a record field of this type gets when the sender did not send it: zero for a
     * primitive, an empty Optional, collection or map (shared and immutable for the interface types,
     * see {@link ContainerCodecs}), null otherwise.
     */
    @Nullable Object absent(BinaryReader in) {
        if (kind == Kind.PRIMITIVE || raw == Optional.class || Collection.class.isAssignableFrom(raw)
                || Map.class.isAssignableFrom(raw)) {
            return codec().absent(in);
        }
        return null;
    }

    Type declared() {
        return declared;
    }
}
