package io.rpcboot.core.internal.protocol;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.SerializationException;
import io.rpcboot.core.serialize.BinaryReader;
import io.rpcboot.core.serialize.BinarySerialization;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.serialize.BinaryWriter;
import io.rpcboot.core.serialize.Serialization;
import io.rpcboot.core.serialize.TypeAllowList;
import io.rpcboot.core.serialize.TypeCodec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exception a provider threw, as the optional tail of an error body (docs/protocol.md, section
 * 5.1): its class, message, own fields, cause chain and, when the server sends them, stack frames.
 * A server writes it for an exception its method declares or its allow-list names; a client turns it
 * back into an exception of that class only when its own allow-list names the class (declared
 * exceptions of referenced interfaces are on it), and otherwise keeps {@code RpcRemoteException}.
 *
 * <p>Bounded both ways: at most {@value #MAX_CAUSES} causes, {@value #MAX_FIELDS} fields and
 * {@value #MAX_FRAMES} frames per exception, {@value #MAX_DETAIL_BYTES} bytes in all (a larger tail
 * is not sent); field values are decoded under the frame's decode budget like any argument. A class
 * is never loaded by name. Fields are set reflectively on the receiver's class, matched by name; one
 * the receiver lacks is skipped. Thread-safe; what it learns per class is cached.
 */
public final class ExceptionCodec {

    private static final Logger log = LoggerFactory.getLogger(ExceptionCodec.class);

    /** Format byte of the tail. */
    static final int FORMAT = 1;
    public static final int MAX_CAUSES = 4;
    public static final int MAX_FIELDS = 64;
    public static final int MAX_FRAMES = 64;
    public static final int MAX_DETAIL_BYTES = 64 * 1024;
    private static final int MAX_NAME_BYTES = 1024;

    private final Serialization binary;
    private final TypeAllowList allowList;
    private final boolean stackTraces;
    private final ClassValue<Shape> shapes = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            return Shape.of(type, binary);
        }
    };

    /**
     * @param binary      the {@code binary} serialization, whose codecs carry field values
     * @param allowList   the classes this side sends with their fields and rebuilds
     * @param stackTraces whether this side sends stack frames (a server setting, off by default)
     */
    public ExceptionCodec(Serialization binary, TypeAllowList allowList, boolean stackTraces) {
        this.binary = binary;
        this.allowList = allowList;
        this.stackTraces = stackTraces;
    }

    /** A codec on {@code serializations}' {@code binary} serialization (a new one if it has none) and allow-list. */
    public static ExceptionCodec of(Serializations serializations, boolean stackTraces) {
        Serialization binary = serializations.all().stream().filter(s -> s instanceof BinarySerialization).findFirst()
                .orElseGet(() -> new BinarySerialization(serializations.allowList()));
        return new ExceptionCodec(binary, serializations.allowList(), stackTraces);
    }

    /** Whether this side's allow-list names {@code t}'s class, so it is sent as itself even where not declared. */
    public boolean sends(Throwable t) {
        return allowList.isAllowed(t.getClass().getName());
    }

    /**
     * The tail for {@code t}, or null when it cannot be written within {@value #MAX_DETAIL_BYTES}
     * bytes (the error body then carries the type and message only).
     */
    public byte @Nullable [] encode(Throwable t) {
        BinaryWriter out = BinaryWriter.heap(256);
        try {
            out.writeByte(FORMAT);
            Throwable current = t;
            for (int depth = 0; current != null; depth++) {
                writeOne(out, current, depth == 0 || allowList.isAllowed(current.getClass().getName()));
                Throwable next = current.getCause();
                boolean more = next != null && next != current && depth < MAX_CAUSES;
                out.writeBool(more);
                current = more ? next : null;
                if (out.position() > MAX_DETAIL_BYTES) {
                    return null;
                }
            }
            return out.toByteArray();
        } catch (RuntimeException e) {
            log.debug("the details of {} are not sent: {}", t.getClass().getName(), e.toString());
            return null;
        }
    }

    private void writeOne(BinaryWriter out, Throwable t, boolean withFields) {
        out.writeString(t.getClass().getName());
        String message = safeMessage(t);
        out.writeBool(message != null);
        if (message != null) {
            out.writeString(ErrorBody.bounded("", message).message());
        }
        Shape shape = withFields ? shapes.get(t.getClass()) : Shape.NONE;
        out.writeVarInt32(shape.fields.size());
        for (FieldSlot f : shape.fields.values()) {
            out.writeString(f.field.getName());
            int lengthAt = out.position();
            out.writeInt32(0);
            Object value;
            try {
                value = f.field.get(t);
            } catch (IllegalAccessException e) {
                value = null;
            }
            f.codec.write(out, value);
            out.setInt32(lengthAt, out.position() - lengthAt - 4);
        }
        StackTraceElement[] frames = stackTraces ? t.getStackTrace() : new StackTraceElement[0];
        int n = Math.min(frames.length, MAX_FRAMES);
        out.writeVarInt32(n);
        for (int i = 0; i < n; i++) {
            StackTraceElement e = frames[i];
            out.writeString(e.getClassName());
            out.writeString(e.getMethodName());
            out.writeString(e.getFileName() == null ? "" : e.getFileName());
            out.writeZigZag32(e.getLineNumber());
        }
    }

    private static @Nullable String safeMessage(Throwable t) {
        try {
            return t.getMessage();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The exception the tail describes, rebuilt as its own class, or null when there is no tail, its
     * class is not on this side's allow-list, or it cannot be rebuilt (then the caller keeps the
     * error as {@code RpcRemoteException}). Its stack trace is the remote frames, or empty when none
     * were sent; causes that cannot be rebuilt become {@link RpcRemoteException}s naming their class.
     *
     * @throws SerializationException if the tail is malformed or over a limit
     */
    public @Nullable Throwable decode(BinaryReader in) {
        if (!in.hasRemaining()) {
            return null;
        }
        int format = in.readByte() & 0xFF;
        if (format != FORMAT) {
            return null; // a later format: keep the type and message
        }
        List<Decoded> chain = new ArrayList<>();
        boolean more = true;
        while (more) {
            if (chain.size() > MAX_CAUSES) {
                throw new SerializationException("an error body with more than " + MAX_CAUSES + " causes");
            }
            chain.add(readOne(in));
            more = in.readBool();
        }
        Throwable cause = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Decoded d = chain.get(i);
            Throwable t = d.build(cause);
            if (t == null) {
                if (i == 0) {
                    return null;
                }
                t = new RpcRemoteException(RpcStatus.SERVICE_ERROR, d.className, String.valueOf(d.message), "remote cause");
                if (cause != null) {
                    t.initCause(cause);
                }
            }
            t.setStackTrace(d.frames);
            cause = t;
        }
        return cause;
    }

    private Decoded readOne(BinaryReader in) {
        String className = in.readString("exception class name", MAX_NAME_BYTES);
        String message = in.readBool() ? in.readString("exception message", 4 * ErrorBody.MAX_MESSAGE_CHARS + 64) : null;
        Class<?> type = allowList.lookup(className);
        Shape shape = type != null && Throwable.class.isAssignableFrom(type) ? shapes.get(type) : null;
        int fieldCount = in.readLength("exception field count", MAX_FIELDS, 5);
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < fieldCount; i++) {
            String name = in.readString("exception field name", MAX_NAME_BYTES);
            int length = in.readInt32();
            if (length < 0 || length > in.remaining()) {
                throw new SerializationException("exception field '" + name + "' of " + length + " bytes, with "
                        + in.remaining() + " left");
            }
            FieldSlot slot = shape == null ? null : shape.fields.get(name);
            if (slot == null) {
                in.skip(length);
                continue;
            }
            int end = in.offset() + length;
            Object value = slot.codec.read(in);
            if (in.offset() != end) {
                throw new SerializationException("exception field '" + name + "' took " + (in.offset() - end + length)
                        + " bytes, not the " + length + " announced");
            }
            values.put(name, value);
        }
        int frameCount = in.readLength("stack frame count", MAX_FRAMES, 4);
        StackTraceElement[] frames = new StackTraceElement[frameCount];
        for (int i = 0; i < frameCount; i++) {
            String declaring = in.readString("stack frame class", MAX_NAME_BYTES);
            String methodName = in.readString("stack frame method", MAX_NAME_BYTES);
            String file = in.readString("stack frame file", MAX_NAME_BYTES);
            int line = in.readZigZag32();
            frames[i] = new StackTraceElement(declaring, methodName, file.isEmpty() ? null : file, line);
        }
        return new Decoded(className, message, shape, values, frames);
    }

    /** One exception of the chain as read, before it is built. */
    private record Decoded(String className, @Nullable String message, @Nullable Shape shape, Map<String, Object> values,
                           StackTraceElement[] frames) {

        @Nullable Throwable build(@Nullable Throwable cause) {
            if (shape == null || shape.type == null) {
                return null;
            }
            try {
                Throwable t = shape.instantiate(message, cause, values);
                if (t == null) {
                    return null;
                }
                for (Map.Entry<String, Object> v : values.entrySet()) {
                    FieldSlot slot = shape.fields.get(v.getKey());
                    if (slot != null && slot.settable) {
                        slot.field.set(t, v.getValue());
                    }
                }
                if (!java.util.Objects.equals(safeMessage(t), message)) {
                    // the constructor does not take the message as it is (it builds one from its argument)
                    log.debug("cannot rebuild {} here: its constructor makes the message '{}', not '{}'", className,
                            safeMessage(t), message);
                    return null;
                }
                if (cause != null && t.getCause() == null) {
                    try {
                        t.initCause(cause);
                    } catch (IllegalStateException | IllegalArgumentException e) {
                        // the class fixed its cause in its constructor
                    }
                }
                return t;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                log.debug("cannot rebuild {} here: {}", className, e.toString());
                return null;
            }
        }
    }

    /** A field carried with its exception. */
    private record FieldSlot(Field field, TypeCodec<Object> codec, boolean settable) {
    }

    /**
     * What one exception class carries (its own fields, those of its superclasses outside the JDK)
     * and how it is built: the constructor taking the most fields (matched by parameter name and type,
     * when compiled with {@code -parameters}; parameters {@code String message} and
     * {@code Throwable cause} take those), else {@code (String, Throwable)}, {@code (String)} or
     * {@code ()}; then every field is set.
     */
    private static final class Shape {

        static final Shape NONE = new Shape(null, Map.of(), null, null);
        /** Constructor parameters by these names (not fields) take the message and the cause. */
        private static final String MESSAGE = "message";
        private static final String CAUSE = "cause";

        final @Nullable Class<?> type;
        final Map<String, FieldSlot> fields;
        private final @Nullable Constructor<?> constructor;
        /** For a field constructor: the field each parameter takes; null for the message constructors. */
        private final String @Nullable [] parameterFields;

        private Shape(@Nullable Class<?> type, Map<String, FieldSlot> fields, @Nullable Constructor<?> constructor,
                      String @Nullable [] parameterFields) {
            this.type = type;
            this.fields = fields;
            this.constructor = constructor;
            this.parameterFields = parameterFields;
        }

        static Shape of(Class<?> type, Serialization binary) {
            Map<String, FieldSlot> fields = new LinkedHashMap<>();
            for (Class<?> k = type; k != null && !isJdk(k); k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    int mod = f.getModifiers();
                    if (Modifier.isStatic(mod) || Modifier.isTransient(mod) || f.isSynthetic()
                            || fields.containsKey(f.getName())) {
                        continue;
                    }
                    try {
                        f.setAccessible(true);
                        fields.put(f.getName(), new FieldSlot(f, binary.codec(f.getGenericType()), true));
                    } catch (RuntimeException e) { // inaccessible (a named module), or no codec for its type
                        log.debug("field {} of {} is not carried: {}", f.getName(), type.getName(), e.toString());
                    }
                }
            }
            Constructor<?> chosen = null;
            String[] parameterFields = null;
            if (!Modifier.isAbstract(type.getModifiers())) {
                for (Constructor<?> c : type.getDeclaredConstructors()) {
                    String[] names = fieldParameters(c, fields);
                    if (names != null && names.length > 0
                            && (parameterFields == null || names.length > parameterFields.length)) {
                        chosen = c;
                        parameterFields = names;
                    }
                }
                if (chosen == null) {
                    chosen = find(type, String.class, Throwable.class);
                }
                if (chosen == null) {
                    chosen = find(type, String.class);
                }
                if (chosen == null) {
                    chosen = find(type);
                }
                if (chosen != null) {
                    try {
                        chosen.setAccessible(true);
                    } catch (RuntimeException e) {
                        chosen = null;
                    }
                }
            }
            return new Shape(type, Map.copyOf(fields), chosen, parameterFields);
        }

        private static boolean isJdk(Class<?> k) {
            String n = k.getName();
            return n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.") || n.startsWith("sun.");
        }

        private static String @Nullable [] fieldParameters(Constructor<?> c, Map<String, FieldSlot> fields) {
            Parameter[] ps = c.getParameters();
            String[] names = new String[ps.length];
            boolean anyField = false;
            for (int i = 0; i < ps.length; i++) {
                String name = ps[i].getName();
                FieldSlot f = fields.get(name);
                if (!ps[i].isNamePresent()) {
                    return null;
                }
                if (f != null && ps[i].getType().equals(f.field.getType())) {
                    anyField = true;
                } else if (!(f == null && (name.equals(MESSAGE) && ps[i].getType() == String.class
                        || name.equals(CAUSE) && ps[i].getType() == Throwable.class))) {
                    return null;
                }
                names[i] = name;
            }
            return anyField ? names : null;
        }

        private static @Nullable Constructor<?> find(Class<?> type, Class<?>... parameters) {
            try {
                return type.getDeclaredConstructor(parameters);
            } catch (NoSuchMethodException e) {
                return null;
            }
        }

        @Nullable Throwable instantiate(@Nullable String message, @Nullable Throwable cause, Map<String, Object> values)
                throws ReflectiveOperationException {
            if (constructor == null) {
                return null;
            }
            Object[] args;
            if (parameterFields != null) {
                args = new Object[parameterFields.length];
                Class<?>[] types = constructor.getParameterTypes();
                for (int i = 0; i < args.length; i++) {
                    String name = parameterFields[i];
                    Object v = fields.containsKey(name) ? values.get(name)
                            : name.equals(MESSAGE) ? message : name.equals(CAUSE) ? cause : null;
                    args[i] = v == null && types[i].isPrimitive() ? zero(types[i]) : v;
                }
            } else {
                args = switch (constructor.getParameterCount()) {
                    case 2 -> new Object[] {message, cause};
                    case 1 -> new Object[] {message};
                    default -> new Object[0];
                };
            }
            return (Throwable) constructor.newInstance(args);
        }

        private static Object zero(Class<?> primitive) {
            return java.lang.reflect.Array.get(java.lang.reflect.Array.newInstance(primitive, 1), 0);
        }

    }
}
