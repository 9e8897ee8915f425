package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

import org.jspecify.annotations.Nullable;

/**
 * Arrays, collections, maps and optionals. Layouts: an array or collection is a varint count, then
 * each element (primitive arrays packed, little-endian); a map is a varint count, then key and value
 * alternately; an Optional is its content as a nullable value (marker 0 = empty).
 *
 * <p>A count read from the wire is checked against the bytes left before anything is allocated, and
 * every object is charged to the reader's decode budget before it is created. A collection or map
 * is presized to at most {@link #MAX_PRESIZE} elements and grows as its elements actually arrive, so
 * a claimed count costs nothing before the bytes of its elements are there.
 *
 * <p>A record field of a collection, map or Optional type that the sender did not send decodes as
 * an empty one: for the interface types ({@code List}, {@code Collection}, {@code Set},
 * {@code SortedSet}, {@code NavigableSet}, {@code Map}, {@code SortedMap}, {@code NavigableMap}) a
 * shared immutable empty instance, for the others (e.g. {@code ArrayList}, {@code TreeSet}) a new
 * mutable one, charged to the budget.
 */
final class ContainerCodecs {

    /** The largest initial capacity given to a decoded collection or map, whatever count it claims. */
    static final int MAX_PRESIZE = 1024;

    private ContainerCodecs() {
    }

    static ValueCodec<?> array(Class<?> arrayClass, SlotCodec element) {
        Class<?> component = arrayClass.getComponentType();
        if (component == int.class) {
            return new ValueCodec<int[]>() {
                public void write(BinaryWriter out, int[] v) {
                    out.writeVarInt32(v.length);
                    for (int x : v) {
                        out.writeInt32(x);
                    }
                }

                public int[] read(BinaryReader in) {
                    int n = in.readLength("int[] length", Integer.MAX_VALUE, 4);
                    in.charge(DecodeCost.ARRAY + 4L * n);
                    int[] v = new int[n];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = in.readInt32();
                    }
                    return v;
                }
            };
        }
        if (component == long.class) {
            return new ValueCodec<long[]>() {
                public void write(BinaryWriter out, long[] v) {
                    out.writeVarInt32(v.length);
                    for (long x : v) {
                        out.writeInt64(x);
                    }
                }

                public long[] read(BinaryReader in) {
                    int n = in.readLength("long[] length", Integer.MAX_VALUE, 8);
                    in.charge(DecodeCost.ARRAY + 8L * n);
                    long[] v = new long[n];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = in.readInt64();
                    }
                    return v;
                }
            };
        }
        if (component == double.class) {
            return new ValueCodec<double[]>() {
                public void write(BinaryWriter out, double[] v) {
                    out.writeVarInt32(v.length);
                    for (double x : v) {
                        out.writeDouble(x);
                    }
                }

                public double[] read(BinaryReader in) {
                    int n = in.readLength("double[] length", Integer.MAX_VALUE, 8);
                    in.charge(DecodeCost.ARRAY + 8L * n);
                    double[] v = new double[n];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = in.readDouble();
                    }
                    return v;
                }
            };
        }
        // remaining primitive arrays and object arrays: element by element through the slot codec
        int minBytes = component.isPrimitive() ? primitiveSize(component) : 1;
        int elementSize = component.isPrimitive() ? primitiveSize(component) : DecodeCost.REFERENCE;
        String lengthName = arrayClass.getSimpleName() + " length";
        return new ValueCodec<Object>() {
            public void write(BinaryWriter out, Object v) {
                int n = Array.getLength(v);
                out.writeVarInt32(n);
                for (int i = 0; i < n; i++) {
                    element.write(out, Array.get(v, i));
                }
            }

            public List<SlotCodec> children() {
                return List.of(element);
            }

            public Object read(BinaryReader in) {
                int n = in.readLength(lengthName, Integer.MAX_VALUE, minBytes);
                in.charge(DecodeCost.ARRAY + (long) elementSize * n);
                Object v = Array.newInstance(component, n);
                for (int i = 0; i < n; i++) {
                    Array.set(v, i, element.read(in));
                }
                return v;
            }
        };
    }

    private static int primitiveSize(Class<?> c) {
        if (c == boolean.class || c == byte.class) {
            return 1;
        }
        if (c == short.class || c == char.class) {
            return 2;
        }
        return c == float.class || c == int.class ? 4 : 8;
    }

    static ValueCodec<Object> optional(SlotCodec content) {
        return new ValueCodec<>() {
            public void write(BinaryWriter out, Object v) {
                content.write(out, ((Optional<?>) v).orElse(null));
            }

            public Object read(BinaryReader in) {
                Object value = content.read(in);
                if (value == null) {
                    return Optional.empty();
                }
                in.charge(DecodeCost.BOX);
                return Optional.of(value);
            }

            public List<SlotCodec> children() {
                return List.of(content);
            }

            public Object absent(BinaryReader in) {
                return Optional.empty();
            }
        };
    }

    static ValueCodec<Object> collection(Class<?> declared, SlotCodec element) {
        Maker<Collection<Object>> maker = collectionMaker(declared);
        Object sharedEmpty = sharedEmpty(declared);
        return new ValueCodec<>() {
            public void write(BinaryWriter out, Object v) {
                Collection<?> c = (Collection<?>) v;
                out.writeVarInt32(c.size());
                int written = 0;
                for (Object e : c) {
                    element.write(out, e);
                    written++;
                }
                if (written != c.size()) {
                    throw new SerializationException("collection changed while being written: size " + c.size()
                            + ", iterated " + written);
                }
            }

            public List<SlotCodec> children() {
                return List.of(element);
            }

            public Object read(BinaryReader in) {
                int n = in.readLength("collection size", Integer.MAX_VALUE, 1);
                Collection<Object> c = maker.create(in, n);
                for (int i = 0; i < n; i++) {
                    in.charge(maker.elementCost);
                    c.add(element.read(in));
                }
                return c;
            }

            public Object absent(BinaryReader in) {
                return sharedEmpty != null ? sharedEmpty : maker.create(in, 0);
            }
        };
    }

    static ValueCodec<Object> map(Class<?> declared, SlotCodec key, SlotCodec value) {
        Maker<Map<Object, Object>> maker = mapMaker(declared);
        Object sharedEmpty = sharedEmpty(declared);
        return new ValueCodec<>() {
            public void write(BinaryWriter out, Object v) {
                Map<?, ?> m = (Map<?, ?>) v;
                out.writeVarInt32(m.size());
                int written = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    key.write(out, e.getKey());
                    value.write(out, e.getValue());
                    written++;
                }
                if (written != m.size()) {
                    throw new SerializationException("map changed while being written: size " + m.size()
                            + ", iterated " + written);
                }
            }

            public List<SlotCodec> children() {
                return List.of(key, value);
            }

            public Object read(BinaryReader in) {
                int n = in.readLength("map size", Integer.MAX_VALUE, 2);
                Map<Object, Object> m = maker.create(in, n);
                for (int i = 0; i < n; i++) {
                    in.charge(maker.elementCost);
                    Object k = key.read(in);
                    m.put(k, value.read(in));
                }
                return m;
            }

            public Object absent(BinaryReader in) {
                return sharedEmpty != null ? sharedEmpty : maker.create(in, 0);
            }
        };
    }

    /**
     * The shared immutable empty value of an interface type, for a field the sender did not send;
     * null for a concrete type, which gets a new instance of its own.
     */
    private static @Nullable Object sharedEmpty(Class<?> declared) {
        if (declared == List.class || declared == Collection.class) {
            return List.of();
        }
        if (declared == Set.class) {
            return Set.of();
        }
        if (declared == SortedSet.class || declared == NavigableSet.class) {
            return Collections.emptyNavigableSet();
        }
        if (declared == Map.class) {
            return Map.of();
        }
        if (declared == SortedMap.class || declared == NavigableMap.class) {
            return Collections.emptyNavigableMap();
        }
        return null;
    }

    private static Maker<Collection<Object>> collectionMaker(Class<?> declared) {
        if (declared.isAssignableFrom(ArrayList.class)) {
            return new Maker<>(ArrayList::new, DecodeCost.REFERENCE); // List, Collection, AbstractList...
        }
        if (declared.isAssignableFrom(LinkedHashSet.class)) {
            return new Maker<>(n -> new LinkedHashSet<>(hashCapacity(n)), DecodeCost.NODE); // Set, HashSet...
        }
        if (declared.isAssignableFrom(TreeSet.class)) {
            return new Maker<>(n -> new TreeSet<>(), DecodeCost.NODE); // SortedSet, NavigableSet, TreeSet
        }
        if (declared.isAssignableFrom(ArrayDeque.class)) {
            return new Maker<>(ArrayDeque::new, DecodeCost.REFERENCE); // Queue, Deque, ArrayDeque
        }
        if (declared.isAssignableFrom(LinkedList.class)) {
            return new Maker<>(n -> new LinkedList<>(), DecodeCost.NODE);
        }
        MethodHandle ctor = noArgConstructor(declared);
        return new Maker<>(n -> instantiate(ctor, declared), DecodeCost.NODE);
    }

    private static Maker<Map<Object, Object>> mapMaker(Class<?> declared) {
        if (declared.isAssignableFrom(LinkedHashMap.class)) {
            return new Maker<>(n -> new LinkedHashMap<>(hashCapacity(n)), DecodeCost.NODE); // Map, HashMap...
        }
        if (declared.isAssignableFrom(TreeMap.class)) {
            return new Maker<>(n -> new TreeMap<>(), DecodeCost.NODE); // SortedMap, NavigableMap, TreeMap
        }
        if (declared.isAssignableFrom(ConcurrentHashMap.class)) {
            return new Maker<>(ConcurrentHashMap::new, DecodeCost.NODE); // ConcurrentMap
        }
        MethodHandle ctor = noArgConstructor(declared);
        return new Maker<>(n -> instantiate(ctor, declared), DecodeCost.NODE);
    }

    /** The initial capacity that holds {@code n} entries of a hash set or map without rehashing. */
    private static int hashCapacity(int n) {
        return Math.max(16, (int) (n / .75f) + 1);
    }

    /**
     * Creates the collections or maps of one declared type, presized to the count the bytes claim
     * but at most {@link #MAX_PRESIZE}, and charges the reader for them.
     *
     * @param elementCost estimated heap bytes of one element once added (its slot or its node)
     */
    private record Maker<T>(IntFunction<T> constructor, int elementCost) {

        T create(BinaryReader in, int claimed) {
            int presize = Math.min(claimed, MAX_PRESIZE);
            in.charge(DecodeCost.COLLECTION + (long) DecodeCost.REFERENCE * presize);
            return constructor.apply(presize);
        }
    }

    /** The public no-arg constructor of a concrete collection or map class, looked up once. */
    private static MethodHandle noArgConstructor(Class<?> type) {
        try {
            return MethodHandles.publicLookup().findConstructor(type, MethodType.methodType(void.class))
                    .asType(MethodType.methodType(Object.class));
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new SerializationException("cannot create a " + type.getName() + ": declare it as List, Set,"
                    + " Map or another type with a public no-arg constructor", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T instantiate(MethodHandle ctor, Class<?> type) {
        try {
            return (T) (Object) ctor.invokeExact();
        } catch (Throwable e) {
            throw new SerializationException("cannot create a " + type.getName(), e);
        }
    }
}
