/**
 * {@link io.rpcboot.core.internal.pool.ConnectionPool}: a bounded set of connections to one endpoint, created
 * by a pluggable factory, validated before reuse, evicted when idle, and handed out under a lock with
 * {@link java.util.concurrent.locks.Condition}s. A connection may carry several leases at once (calls
 * multiplexed on one socket) or exactly one.
 */
@NullMarked
package io.rpcboot.core.internal.pool;

import org.jspecify.annotations.NullMarked;
