package io.rpcboot.core.serialize;

import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * The types a decoder may instantiate when the bytes name a type (a value declared as an interface,
 * an abstract class or {@code Object}). A name that is not here fails decoding with an exception
 * naming it; its class is never loaded, because lookup is by name in this table, never
 * {@code Class.forName}.
 *
 * <p>Allowed: the built-in value types (strings, boxed primitives, {@code BigDecimal},
 * {@code BigInteger}, {@code UUID}, {@code java.time} values, lists, sets, maps, optionals, arrays of
 * allowed types); every type reachable from the signatures of the service interfaces passed to
 * {@link #allowReachableFrom} (parameters and return types, generics, record components, POJO fields,
 * permitted subclasses of sealed types, and the exceptions the methods declare outside the JDK, with
 * their fields); and every type passed to {@link #allow}. Thread-safe.
 */
public final class TypeAllowList {

    private final Map<String, Class<?>> allowed = new ConcurrentHashMap<>();
    private final Set<Class<?>> walked = ConcurrentHashMap.newKeySet();

    /** Allows {@code types} (and what their own fields reach) by name. */
    public TypeAllowList allow(Class<?>... types) {
        for (Class<?> type : types) {
            walk(Objects.requireNonNull(type, "type"));
        }
        return this;
    }

    /** Allows every type reachable from the methods of {@code serviceInterface}. */
    public TypeAllowList allowReachableFrom(Class<?> serviceInterface) {
        for (Method m : serviceInterface.getMethods()) {
            if (m.getDeclaringClass() == Object.class || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            for (Type p : m.getGenericParameterTypes()) {
                walk(p);
            }
            walk(m.getGenericReturnType());
            for (Class<?> thrown : m.getExceptionTypes()) {
                if (!thrown.getName().startsWith("java.")) { // declared exceptions travel as themselves
                    walkClass(thrown);
                }
            }
        }
        return this;
    }

    /** The allowed class with this binary name, or null. Never loads a class. */
    public @Nullable Class<?> lookup(String name) {
        return allowed.get(name);
    }

    public boolean isAllowed(String name) {
        return allowed.containsKey(name);
    }

    /** The names of the user types allowed so far (built-in value types are not listed), sorted. */
    public SortedSet<String> allowedTypeNames() {
        return new TreeSet<>(allowed.keySet());
    }

    private void walk(Type type) {
        if (type instanceof Class<?> c) {
            walkClass(c);
        } else if (type instanceof ParameterizedType p) {
            walk(p.getRawType());
            for (Type arg : p.getActualTypeArguments()) {
                walk(arg);
            }
        } else if (type instanceof GenericArrayType g) {
            walk(g.getGenericComponentType());
        } else if (type instanceof WildcardType w) {
            for (Type bound : w.getUpperBounds()) {
                walk(bound);
            }
        } else if (type instanceof TypeVariable<?> v) {
            for (Type bound : v.getBounds()) {
                walk(bound);
            }
        }
    }

    private void walkClass(Class<?> c) {
        if (c.isPrimitive() || !walked.add(c)) {
            return;
        }
        if (c.isArray()) {
            walk(c.getComponentType());
            return;
        }
        if (isBuiltIn(c)) {
            return;
        }
        if (c != Object.class) {
            allowed.put(c.getName(), c);
        }
        if (c.isSealed()) {
            for (Class<?> permitted : c.getPermittedSubclasses()) {
                walkClass(permitted);
            }
        }
        if (c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) {
                walk(rc.getGenericType());
            }
        } else if (!c.isInterface() && !c.isEnum() && !c.getName().startsWith("java.")) {
            for (Class<?> k = c; k != null && !k.getName().startsWith("java."); k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    int mod = f.getModifiers();
                    if (!Modifier.isStatic(mod) && !Modifier.isTransient(mod)) {
                        walk(f.getGenericType());
                    }
                }
            }
        }
    }

    /** Types the codec knows natively: always allowed, never walked. */
    static boolean isBuiltIn(Class<?> c) {
        return ScalarCodecs.isScalar(c) || TimeCodecs.isTime(c) || Collection.class.isAssignableFrom(c)
                || Map.class.isAssignableFrom(c) || c == Optional.class || Future.class.isAssignableFrom(c)
                || CompletionStage.class.isAssignableFrom(c) || c == Object.class || c == Void.class;
    }
}
