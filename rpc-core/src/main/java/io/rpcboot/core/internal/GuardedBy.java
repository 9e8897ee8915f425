package io.rpcboot.core.internal;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Documents that a field is read and written only while holding the named lock (a
 * {@code private final Object lock} used with {@code synchronized}, or a {@code ReentrantLock} where
 * conditions are needed), as gRPC's {@code ServerImpl} marks its fields. Documentation only: nothing
 * checks it at run time. Not part of the API.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.FIELD, ElementType.METHOD})
public @interface GuardedBy {

    /** The name of the lock field, e.g. {@code "lock"}. */
    String value();
}
