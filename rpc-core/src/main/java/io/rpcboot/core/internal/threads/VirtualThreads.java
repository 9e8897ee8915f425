package io.rpcboot.core.internal.threads;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ThreadFactory;

import org.jspecify.annotations.Nullable;

/**
 * Not API. Virtual threads (Java 21 or later) for code built for Java 17: the API is reached
 * through reflection and a method handle, looked up once. Where the JDK has none, {@link #SUPPORTED}
 * is false and {@link #current()} always false.
 */
public final class VirtualThreads {

    private static final @Nullable MethodHandle IS_VIRTUAL = lookUpIsVirtual();

    /** Whether this JVM has virtual threads. */
    public static final boolean SUPPORTED = IS_VIRTUAL != null;

    private VirtualThreads() {
    }

    /** Whether the calling thread is a virtual thread. */
    public static boolean current() {
        MethodHandle isVirtual = IS_VIRTUAL;
        if (isVirtual == null) {
            return false;
        }
        try {
            return (boolean) isVirtual.invokeExact(Thread.currentThread());
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * {@code Thread.ofVirtual().name(prefix, 1).factory()}.
     *
     * @throws IllegalStateException before Java 21
     */
    public static ThreadFactory factory(String prefix) {
        if (!SUPPORTED) {
            throw new IllegalStateException("virtual threads need Java 21 or later, this is Java "
                    + Runtime.version().feature());
        }
        try {
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Object b = Thread.class.getMethod("ofVirtual").invoke(null);
            b = builder.getMethod("name", String.class, long.class).invoke(b, prefix, 1L);
            return (ThreadFactory) builder.getMethod("factory").invoke(b);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make virtual threads on Java " + Runtime.version().feature(), e);
        }
    }

    private static @Nullable MethodHandle lookUpIsVirtual() {
        if (Runtime.version().feature() < 21) {
            return null;
        }
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
