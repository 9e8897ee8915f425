/**
 * TCP on the Reactor: {@link io.rpcboot.core.internal.transport.TcpServer} accepts on a boss loop and spreads
 * connections over worker loops; {@link io.rpcboot.core.internal.transport.TcpClient} connects without
 * blocking; a {@link io.rpcboot.core.internal.transport.Connection} reads into pooled buffers, queues writes
 * from any thread, flushes them with gathering writes, and applies back-pressure with water marks.
 */
@NullMarked
package io.rpcboot.core.internal.transport;

import org.jspecify.annotations.NullMarked;
