package io.rpcboot.core.internal.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable, validated pool settings.
 *
 * @param maxSize           most connections the pool keeps (open or being opened), >= 1
 * @param maxLeases         leases one connection carries at once: 1 for exclusive use, more for
 *                          multiplexed connections (calls in flight per connection), >= 1
 * @param idleTimeout       a connection with no lease for this long is closed by {@link ConnectionPool#evictIdle};
 *                          {@link Duration#ZERO} keeps idle connections
 * @param validateOnAcquire whether {@link ConnectionPool.Factory#validate} runs before a connection is handed out
 */
public record PoolConfig(int maxSize, int maxLeases, Duration idleTimeout, boolean validateOnAcquire) {

    public PoolConfig {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be >= 1, was " + maxSize);
        }
        if (maxLeases < 1) {
            throw new IllegalArgumentException("maxLeases must be >= 1, was " + maxLeases);
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout must be >= 0, was " + idleTimeout);
        }
    }
}
