package io.rpcboot.core.serialize;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Arrays, collections, maps and optionals. Layouts: an array or collection is a varint count, then
 * each element (primitive arrays packed, little-endian); a map is a varint count, then key and value
 * alternately; an Optional is its content as a nullable value (marker 0 = empty). Counts are checked
 * against the bytes left before anything is allocated.
 */
final class ContainerCodecs {

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
                    int[] v = new int[in.readLength("int[] length", Integer.MAX_VALUE, 4)];
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
                    long[] v = new long[in.readLength("long[] length", Integer.MAX_VALUE, 8)];
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
                    double[] v = new double[in.readLength("double[] length", Integer.MAX_VALUE, 8)];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = in.readDouble();
                    }
                    return v;
                }
            };
        }
        // remaining primitive arrays and object arrays: element by element through the slot codec
        int minBytes = component.isPrimitive() ? primitiveSize(component) : 1;
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
                int n = in.readLength(arrayClass.getSimpleName() + " length", Integer.MAX_VALUE, minBytes);
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
                return Optional.ofNullable(content.read(in));
            }

            public List<SlotCodec> children() {
                return List.of(content);
            }

            public Object absent() {
                return Optional.empty();
            }
        };
    }

    static ValueCodec<Object> collection(Class<?> declared, SlotCodec element) {
        IntFunction<Collection<Object>> factory = collectionFactory(declared);
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
                Collection<Object> c = factory.apply(n);
                for (int i = 0; i < n; i++) {
                    c.add(element.read(in));
                }
                return c;
            }

            public Object absent() {
                return factory.apply(0);
            }
        };
    }

    static ValueCodec<Object> map(Class<?> declared, SlotCodec key, SlotCodec value) {
        IntFunction<Map<Object, Object>> factory = mapFactory(declared);
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
                Map<Object, Object> m = factory.apply(n);
                for (int i = 0; i < n; i++) {
                    Object k = key.read(in);
                    m.put(k, value.read(in));
                }
                return m;
            }

            public Object absent() {
                return factory.apply(0);
            }
        };
    }

    private static IntFunction<Collection<Object>> collectionFactory(Class<?> declared) {
        if (declared.isAssignableFrom(ArrayList.class)) {
            return ArrayList::new; // List, Collection, Iterable, AbstractList...
        }
        if (declared.isAssignableFrom(LinkedHashSet.class)) {
            return n -> new LinkedHashSet<>(Math.max(16, (int) (n / .75f) + 1)); // Set, HashSet, LinkedHashSet
        }
        if (declared.isAssignableFrom(TreeSet.class)) {
            return n -> new TreeSet<>(); // SortedSet, NavigableSet, TreeSet: natural order
        }
        if (declared.isAssignableFrom(ArrayDeque.class)) {
            return ArrayDeque::new; // Queue, Deque, ArrayDeque
        }
        if (declared.isAssignableFrom(LinkedList.class)) {
            return n -> new LinkedList<>();
        }
        MethodHandle ctor = noArgConstructor(declared);
        return n -> instantiate(ctor, declared);
    }

    private static IntFunction<Map<Object, Object>> mapFactory(Class<?> declared) {
        if (declared.isAssignableFrom(LinkedHashMap.class)) {
            return n -> new LinkedHashMap<>(Math.max(16, (int) (n / .75f) + 1)); // Map, HashMap, AbstractMap
        }
        if (declared.isAssignableFrom(TreeMap.class)) {
            return n -> new TreeMap<>(); // SortedMap, NavigableMap, TreeMap
        }
        if (declared.isAssignableFrom(ConcurrentHashMap.class)) {
            return ConcurrentHashMap::new; // ConcurrentMap
        }
        MethodHandle ctor = noArgConstructor(declared);
        return n -> instantiate(ctor, declared);
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
