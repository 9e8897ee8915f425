package io.rpcboot.core.serialize;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Structural equality for test values: arrays by content, records by component, POJOs by
 * (non-transient) field, collections in iteration order, maps by key; everything else by
 * {@code equals}. Returns the path of the first difference, or null when equal.
 */
final class DeepEquality {

    private DeepEquality() {
    }

    static String firstDifference(Object expected, Object actual) {
        return diff("$", expected, actual);
    }

    private static String diff(String path, Object e, Object a) {
        if (e == null || a == null) {
            return e == a ? null : path + ": expected " + e + " but was " + a;
        }
        if (e.getClass().isArray()) {
            if (!a.getClass().isArray() || Array.getLength(e) != Array.getLength(a)) {
                return path + ": array length or type differs";
            }
            for (int i = 0; i < Array.getLength(e); i++) {
                String d = diff(path + "[" + i + "]", Array.get(e, i), Array.get(a, i));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (e instanceof Optional<?> oe && a instanceof Optional<?> oa) {
            return diff(path + ".get()", oe.orElse(null), oa.orElse(null));
        }
        if (e instanceof Collection<?> ce && a instanceof Collection<?> ca) {
            if (ce.size() != ca.size()) {
                return path + ": size " + ce.size() + " vs " + ca.size();
            }
            Iterator<?> ia = ca.iterator();
            int i = 0;
            for (Object x : ce) {
                String d = diff(path + "[" + i++ + "]", x, ia.next());
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (e instanceof Map<?, ?> me && a instanceof Map<?, ?> ma) {
            if (me.size() != ma.size()) {
                return path + ": map size " + me.size() + " vs " + ma.size();
            }
            for (Map.Entry<?, ?> entry : me.entrySet()) {
                if (!ma.containsKey(entry.getKey())) {
                    return path + ": missing key " + entry.getKey();
                }
                String d = diff(path + "{" + entry.getKey() + "}", entry.getValue(), ma.get(entry.getKey()));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (e.getClass() != a.getClass()) {
            return path + ": class " + e.getClass().getName() + " vs " + a.getClass().getName();
        }
        if (e.getClass().isRecord()) {
            for (RecordComponent rc : e.getClass().getRecordComponents()) {
                String d = diff(path + "." + rc.getName(), get(rc, e), get(rc, a));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (!e.getClass().getName().startsWith("java.") && !(e instanceof Enum<?>)) {
            for (Class<?> k = e.getClass(); k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || Modifier.isTransient(f.getModifiers())) {
                        continue;
                    }
                    f.setAccessible(true);
                    try {
                        String d = diff(path + "." + f.getName(), f.get(e), f.get(a));
                        if (d != null) {
                            return d;
                        }
                    } catch (IllegalAccessException x) {
                        throw new IllegalStateException(x);
                    }
                }
            }
            return null;
        }
        return e.equals(a) ? null : path + ": expected " + e + " but was " + a;
    }

    private static Object get(RecordComponent rc, Object o) {
        try {
            rc.getAccessor().setAccessible(true);
            return rc.getAccessor().invoke(o);
        } catch (ReflectiveOperationException x) {
            throw new IllegalStateException(x);
        }
    }
}
