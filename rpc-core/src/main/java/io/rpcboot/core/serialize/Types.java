package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.lang.reflect.Array;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.Arrays;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/** Generic-type plumbing: raw classes, type arguments, and type variables resolved in context. */
final class Types {

    private Types() {
    }

    /** The class behind a type; type variables and wildcards become their first bound. */
    static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        if (type instanceof GenericArrayType g) {
            return Array.newInstance(raw(g.getGenericComponentType()), 0).getClass();
        }
        if (type instanceof WildcardType w) {
            return raw(w.getUpperBounds()[0]);
        }
        if (type instanceof TypeVariable<?> v) {
            return raw(v.getBounds()[0]);
        }
        throw new SerializationException("unsupported type " + type);
    }

    /** Type argument {@code index} of {@code type}, or Object when the type is raw. */
    static Type argument(Type type, int index) {
        if (type instanceof ParameterizedType p) {
            Type arg = p.getActualTypeArguments()[index];
            if (arg instanceof WildcardType w) {
                return w.getUpperBounds()[0];
            }
            return arg instanceof TypeVariable<?> ? Object.class : arg;
        }
        return Object.class;
    }

    /** Component type of an array type. */
    static Type component(Type arrayType) {
        if (arrayType instanceof GenericArrayType g) {
            return g.getGenericComponentType();
        }
        return raw(arrayType).getComponentType();
    }

    /**
     * {@code member} (a field or component type declared in {@code owner}'s class) with the class's
     * type variables replaced by {@code owner}'s type arguments; unresolvable variables become Object.
     */
    static Type resolve(Type owner, Type member) {
        if (member instanceof Class<?>) {
            return member;
        }
        if (member instanceof TypeVariable<?> v) {
            Type bound = lookup(owner, v);
            return bound != null ? bound : Object.class;
        }
        if (member instanceof ParameterizedType p) {
            Type[] args = p.getActualTypeArguments().clone();
            boolean changed = false;
            for (int i = 0; i < args.length; i++) {
                Type resolved = resolve(owner, args[i]);
                changed |= resolved != args[i];
                args[i] = resolved;
            }
            return changed ? new Parameterized((Class<?>) p.getRawType(), p.getOwnerType(), args) : p;
        }
        if (member instanceof GenericArrayType g) {
            Type component = resolve(owner, g.getGenericComponentType());
            return component instanceof Class<?> c ? Array.newInstance(c, 0).getClass() : g;
        }
        if (member instanceof WildcardType w) {
            return resolve(owner, w.getUpperBounds()[0]);
        }
        return member;
    }

    private static @Nullable Type lookup(Type owner, TypeVariable<?> v) {
        if (!(owner instanceof ParameterizedType p) || !(v.getGenericDeclaration() instanceof Class<?> declaring)) {
            return null;
        }
        if (!declaring.equals(p.getRawType())) {
            return null;
        }
        TypeVariable<?>[] params = declaring.getTypeParameters();
        for (int i = 0; i < params.length; i++) {
            if (params[i].getName().equals(v.getName())) {
                Type arg = p.getActualTypeArguments()[i];
                return arg instanceof WildcardType w ? w.getUpperBounds()[0] : arg;
            }
        }
        return null;
    }

    /** A ParameterizedType equal to (and hashing like) the JDK's own for the same raw type and arguments. */
    static final class Parameterized implements ParameterizedType {
        private final Class<?> raw;
        private final @Nullable Type owner;
        private final Type[] args;

        Parameterized(Class<?> raw, @Nullable Type owner, Type[] args) {
            this.raw = raw;
            this.owner = owner;
            this.args = args;
        }

        @Override
        public Type[] getActualTypeArguments() {
            return args.clone();
        }

        @Override
        public Type getRawType() {
            return raw;
        }

        @Override
        public @Nullable Type getOwnerType() {
            return owner;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ParameterizedType p && raw.equals(p.getRawType())
                    && Objects.equals(owner, p.getOwnerType()) && Arrays.equals(args, p.getActualTypeArguments());
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(args) ^ Objects.hashCode(owner) ^ raw.hashCode();
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(raw.getName()).append('<');
            for (int i = 0; i < args.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(args[i].getTypeName());
            }
            return sb.append('>').toString();
        }
    }
}
