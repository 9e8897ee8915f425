/**
 * The Reactor: an {@link io.rpcboot.core.internal.reactor.EventLoop} owns one {@link java.nio.channels.Selector}
 * and one thread, runs I/O readiness callbacks, tasks submitted from any thread, and timers.
 * An {@link io.rpcboot.core.internal.reactor.EventLoopGroup} owns several loops and hands them out round-robin.
 */
@NullMarked
package io.rpcboot.core.internal.reactor;

import org.jspecify.annotations.NullMarked;
