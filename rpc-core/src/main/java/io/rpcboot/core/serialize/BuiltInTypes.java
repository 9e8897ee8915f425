package io.rpcboot.core.serialize;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** The JDK value types that may always be named by a type tag: they have no behaviour to abuse. */
final class BuiltInTypes {

    private static final Map<String, Class<?>> BY_NAME = new HashMap<>();
    private static final Map<String, Class<?>> PRIMITIVES = Map.of(
            "Z", boolean.class, "B", byte.class, "S", short.class, "C", char.class,
            "I", int.class, "J", long.class, "F", float.class, "D", double.class);

    static {
        for (Class<?> c : new Class<?>[] {Boolean.class, Byte.class, Short.class, Character.class, Integer.class,
                Long.class, Float.class, Double.class, String.class, BigInteger.class, BigDecimal.class, UUID.class}) {
            BY_NAME.put(c.getName(), c);
        }
        for (Class<?> c : TimeCodecs.classes()) {
            BY_NAME.put(c.getName(), c);
        }
    }

    private BuiltInTypes() {
    }

    static @Nullable Class<?> byName(String name) {
        return BY_NAME.get(name);
    }

    static @Nullable Class<?> primitiveByDescriptor(String descriptor) {
        return PRIMITIVES.get(descriptor);
    }
}
