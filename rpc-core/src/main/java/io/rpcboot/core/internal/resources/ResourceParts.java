package io.rpcboot.core.internal.resources;

import java.util.Objects;

import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import org.jspecify.annotations.Nullable;

/**
 * Not API. What a client or server finds inside the {@code RpcResources} it was given: the buffer
 * pool, the event loops and the clock. {@code RpcResources.builder()} makes the one production
 * implementation; rpc-core's tests make their own, with a pool whose buffers they count, loops they
 * kill or a clock they move. A loop group that is null here is made (and closed) by the client or
 * server itself.
 *
 * <p>Every method may be called from any thread.
 */
public interface ResourceParts {

    /**
     * The parts behind {@code resources}.
     *
     * @throws IllegalArgumentException if {@code resources} was not made by {@code RpcResources.builder()}
     */
    static ResourceParts of(Object resources) {
        Objects.requireNonNull(resources, "resources");
        if (resources instanceof ResourceParts parts) {
            return parts;
        }
        throw new IllegalArgumentException("resources must be made by RpcResources.builder(), was "
                + resources.getClass().getName());
    }

    BufferPool bufferPool();

    /** The clients' loops, started on the first call; null when clients make their own. */
    @Nullable EventLoopGroup clientLoops();

    /** The servers' accepting loop, started on the first call; null when servers make their own. */
    @Nullable EventLoopGroup serverBoss();

    /** The servers' worker loops, started on the first call; null when servers make their own. */
    @Nullable EventLoopGroup serverWorkers();

    /** Whether a server has asked for its loops yet (a consumer-only application never does). */
    boolean serverLoopsStarted();

    /** The time calls read and the deadline timers they set. */
    CallClock clock();
}
