/**
 * The RPC server: {@link io.rpcboot.core.server.RpcServer} on the TCP transport, a service table keyed
 * by interface + version + group, dispatch to a bounded executor (or the I/O loop in {@code direct}
 * mode), responses, deadlines, and graceful draining.
 */
@NullMarked
package io.rpcboot.core.server;

import org.jspecify.annotations.NullMarked;
