/**
 * Threads the JDK may or may not have: virtual threads (Java 21 or later), reached from code built
 * for Java 17.
 */
@NullMarked
package io.rpcboot.core.internal.threads;

import org.jspecify.annotations.NullMarked;
