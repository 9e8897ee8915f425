package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Records and POJOs (a class with a no-arg constructor; its non-static, non-transient fields, its
 * superclasses' included). Layout:
 *
 * <pre>
 *  varint   field count
 *  per field, in declaration order:
 *    uint32 tag      FNV-1a 32-bit hash of the field name's UTF-8 bytes
 *    uint32 length   bytes of the value that follows
 *    value           the field's value (its slot: marker, optional type tag, value)
 * </pre>
 *
 * A reader skips fields whose tag it does not know (the sender is newer) and gives fields it did
 * not receive their default (the sender is older): a record component gets 0 / false / null /
 * empty Optional / empty collection; a POJO field keeps what its no-arg constructor set. An absent
 * component declared as an interface collection or map type ({@code List}, {@code Collection},
 * {@code Set}, {@code Map}, their sorted variants) gets a shared immutable empty one, an absent
 * {@code Optional} gets {@code Optional.empty()}; one of a concrete type ({@code ArrayList},
 * {@code TreeSet}...) gets a new mutable one. Built once per type: method handles, no reflection per
 * value.
 *
 * <p>Each instance decoded is charged to the reader's decode budget (see {@link DecodeCost#struct})
 * before its fields are read, so a list of records whose fields were all left out cannot make more
 * objects than the budget allows.
 */
final class StructCodec implements ValueCodec<Object> {

    private static final int MAX_FIELDS = 4096;

    private final Class<?> type;
    private final String[] names;
    private final int[] tags;
    private final SlotCodec[] slots;
    private final MethodHandle[] getters; // (Object)Object
    private final @Nullable MethodHandle[] setters; // (Object,Object)void; POJOs only
    private final MethodHandle constructor; // record: (Object[])Object; POJO: ()Object
    private final boolean record;
    private final int[] sortedTags;
    private final int[] sortedIndex;
    private final long instanceCost;
    private final String fieldCountName;

    private StructCodec(Class<?> type, List<Member> members, MethodHandle constructor, boolean record) {
        this.type = type;
        this.record = record;
        this.constructor = constructor;
        int n = members.size();
        this.instanceCost = DecodeCost.struct(n);
        this.fieldCountName = "field count of " + type.getName();
        names = new String[n];
        tags = new int[n];
        slots = new SlotCodec[n];
        getters = new MethodHandle[n];
        setters = new MethodHandle[n];
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            Member m = members.get(i);
            names[i] = m.name;
            tags[i] = tagOf(m.name);
            slots[i] = m.slot;
            getters[i] = m.getter;
            setters[i] = m.setter;
            order[i] = ((long) tags[i] << 32) | i;
        }
        Arrays.sort(order); // signed tag order, then index
        sortedTags = new int[n];
        sortedIndex = new int[n];
        for (int i = 0; i < n; i++) {
            sortedTags[i] = (int) (order[i] >> 32);
            sortedIndex[i] = (int) order[i];
            if (i > 0 && sortedTags[i] == sortedTags[i - 1]) {
                throw new SerializationException("fields " + names[sortedIndex[i - 1]] + " and " + names[sortedIndex[i]]
                        + " of " + type.getName() + " have the same tag; rename one of them");
            }
        }
    }

    /** FNV-1a, 32 bits, over the UTF-8 bytes of {@code name}. */
    static int tagOf(String name) {
        int hash = 0x811C9DC5;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xFF;
            hash *= 0x01000193;
        }
        return hash;
    }

    static StructCodec forRecord(Type declared, CodecFactory factory) {
        Class<?> type = Types.raw(declared);
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
            RecordComponent[] components = type.getRecordComponents();
            List<Member> members = new ArrayList<>();
            Class<?>[] paramTypes = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                RecordComponent rc = components[i];
                paramTypes[i] = rc.getType();
                MethodHandle getter = lookup.unreflect(rc.getAccessor())
                        .asType(MethodType.methodType(Object.class, Object.class));
                members.add(new Member(rc.getName(), factory.slot(Types.resolve(declared, rc.getGenericType())),
                        getter, null));
            }
            MethodHandle ctor = lookup.findConstructor(type, MethodType.methodType(void.class, paramTypes))
                    .asType(MethodType.genericMethodType(components.length))
                    .asSpreader(Object[].class, components.length);
            return new StructCodec(type, members, ctor, true);
        } catch (ReflectiveOperationException | IllegalArgumentException | SecurityException e) {
            throw new SerializationException("cannot access record " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    static StructCodec forPojo(Type declared, CodecFactory factory) {
        Class<?> type = Types.raw(declared);
        try {
            MethodHandles.Lookup own = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
            List<Class<?>> hierarchy = new ArrayList<>();
            for (Class<?> k = type; k != null && k != Object.class; k = k.getSuperclass()) {
                hierarchy.add(0, k);
            }
            List<Member> members = new ArrayList<>();
            for (Class<?> k : hierarchy) {
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(k, MethodHandles.lookup());
                for (Field f : k.getDeclaredFields()) {
                    int mod = f.getModifiers();
                    if (Modifier.isStatic(mod) || Modifier.isTransient(mod) || f.isSynthetic()) {
                        continue;
                    }
                    if (Modifier.isFinal(mod)) {
                        throw new SerializationException("field " + f.getName() + " of " + k.getName()
                                + " is final: a class sent by value needs non-final fields (or make it a record)");
                    }
                    MethodHandle getter = lookup.unreflectGetter(f).asType(MethodType.methodType(Object.class, Object.class));
                    MethodHandle setter = lookup.unreflectSetter(f)
                            .asType(MethodType.methodType(void.class, Object.class, Object.class));
                    members.add(new Member(f.getName(), factory.slot(Types.resolve(declared, f.getGenericType())),
                            getter, setter));
                }
            }
            MethodHandle ctor = own.findConstructor(type, MethodType.methodType(void.class))
                    .asType(MethodType.methodType(Object.class));
            return new StructCodec(type, members, ctor, false);
        } catch (ReflectiveOperationException | IllegalArgumentException | SecurityException e) {
            throw new SerializationException("cannot access class " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(BinaryWriter out, Object value) {
        out.writeVarInt32(tags.length);
        for (int i = 0; i < tags.length; i++) {
            Object fieldValue;
            try {
                fieldValue = (Object) getters[i].invokeExact(value);
            } catch (Throwable e) {
                throw new SerializationException("cannot read field " + names[i] + " of " + type.getName(), e);
            }
            out.writeInt32(tags[i]);
            int lengthAt = out.position();
            out.writeInt32(0);
            int start = out.position();
            slots[i].write(out, fieldValue);
            out.setInt32(lengthAt, out.position() - start);
        }
    }

    @Override
    public Object read(BinaryReader in) {
        int count = in.readLength(fieldCountName, MAX_FIELDS, 8);
        in.charge(instanceCost);
        Object[] values = new Object[tags.length];
        boolean[] present = new boolean[tags.length];
        for (int f = 0; f < count; f++) {
            int tag = in.readInt32();
            int lengthAt = in.offset();
            int length = in.readInt32();
            if (length < 0 || length > in.remaining()) {
                throw new EndOfInputException(lengthAt, Integer.toUnsignedLong(length), in.remaining());
            }
            int i = indexOf(tag);
            if (i < 0) {
                in.skip(length); // a field this side does not know: the sender is newer
                continue;
            }
            int start = in.offset();
            values[i] = slots[i].read(in);
            if (in.offset() - start != length) {
                throw new SerializationException("field " + names[i] + " of " + type.getName() + " at offset " + start
                        + ": its length says " + length + " bytes, its value took " + (in.offset() - start));
            }
            present[i] = true;
        }
        return record ? construct(in, values, present) : populate(values, present);
    }

    private Object construct(BinaryReader in, Object[] values, boolean[] present) {
        for (int i = 0; i < values.length; i++) {
            if (!present[i]) {
                values[i] = slots[i].absent(in);
            }
        }
        try {
            return (Object) constructor.invokeExact(values);
        } catch (Throwable e) {
            throw new SerializationException("cannot construct " + type.getName() + ": " + e, e);
        }
    }

    private Object populate(Object[] values, boolean[] present) {
        try {
            Object target = (Object) constructor.invokeExact();
            for (int i = 0; i < values.length; i++) {
                if (present[i]) {
                    setters[i].invokeExact(target, values[i]);
                }
            }
            return target;
        } catch (Throwable e) {
            throw new SerializationException("cannot populate " + type.getName() + ": " + e, e);
        }
    }

    @Override
    public List<SlotCodec> children() {
        return List.of(slots);
    }

    private int indexOf(int tag) {
        int i = Arrays.binarySearch(sortedTags, tag);
        return i < 0 ? -1 : sortedIndex[i];
    }

    private record Member(String name, SlotCodec slot, MethodHandle getter, @Nullable MethodHandle setter) {
    }
}
