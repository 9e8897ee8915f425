package io.rpcboot.core.internal.resources;

import java.util.Objects;

import io.rpcboot.core.BufferPoolStats;
import io.rpcboot.core.RpcResources;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import org.jspecify.annotations.Nullable;

/**
 * Not API. The one {@link RpcResources} implementation: a {@link BufferPool} made at once, and three
 * {@link EventLoopGroup}s made on first use (client loops are daemon threads, as a client's are
 * when it owns them; server loops are not, so a running server keeps the JVM alive).
 *
 * <p>Thread-safe: the groups are created and closed under {@code lock}; any thread may ask for them.
 */
public final class SharedResources implements RpcResources {

    private final BufferPool bufferPool;
    private final int clientIoThreads;
    private final int serverIoThreads;
    private final Object lock = new Object();
    private @Nullable EventLoopGroup clientLoops; // guarded by lock
    private @Nullable EventLoopGroup serverBoss; // guarded by lock
    private @Nullable EventLoopGroup serverWorkers; // guarded by lock
    private boolean closed; // guarded by lock

    /**
     * Makes the buffer pool; {@link BufferPool.Builder#build()} validates its settings.
     *
     * @throws IllegalArgumentException naming {@code maxBufferSize} or {@code maxPooledBytes}
     */
    public SharedResources(int maxBufferSize, long maxPooledBytes, boolean directBuffers, int clientIoThreads,
                           int serverIoThreads) {
        this.bufferPool = BufferPool.builder().maxBufferSize(maxBufferSize).maxPooledBytes(maxPooledBytes)
                .direct(directBuffers).build();
        this.clientIoThreads = clientIoThreads;
        this.serverIoThreads = serverIoThreads;
    }

    /**
     * The implementation behind {@code resources}.
     *
     * @throws IllegalArgumentException if {@code resources} was not made by {@link RpcResources#builder()}
     */
    public static SharedResources of(RpcResources resources) {
        Objects.requireNonNull(resources, "resources");
        if (resources instanceof SharedResources shared) {
            return shared;
        }
        throw new IllegalArgumentException("resources must be made by RpcResources.builder(), was "
                + resources.getClass().getName());
    }

    public BufferPool bufferPool() {
        return bufferPool;
    }

    /** The clients' loops, started on the first call. */
    public EventLoopGroup clientLoops() {
        synchronized (lock) {
            checkOpen();
            if (clientLoops == null) {
                clientLoops = new EventLoopGroup("rpc-client-io", clientIoThreads, true);
            }
            return clientLoops;
        }
    }

    /** The servers' accepting loop, started on the first call. */
    public EventLoopGroup serverBoss() {
        synchronized (lock) {
            checkOpen();
            if (serverBoss == null) {
                serverBoss = new EventLoopGroup("rpc-server-boss", 1, false);
            }
            return serverBoss;
        }
    }

    /** The servers' worker loops, started on the first call. */
    public EventLoopGroup serverWorkers() {
        synchronized (lock) {
            checkOpen();
            if (serverWorkers == null) {
                serverWorkers = new EventLoopGroup("rpc-server-io", serverIoThreads, false);
            }
            return serverWorkers;
        }
    }

    /** Whether a server has asked for its loops yet (a consumer-only application never does). */
    public boolean serverLoopsStarted() {
        synchronized (lock) {
            return serverBoss != null || serverWorkers != null;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("these RpcResources are closed");
        }
    }

    @Override
    public BufferPoolStats bufferPoolStats() {
        return bufferPool.stats();
    }

    @Override
    public int clientIoThreads() {
        return clientIoThreads;
    }

    @Override
    public int serverIoThreads() {
        return serverIoThreads;
    }

    /** Closes the server loops first, then the client's, each waiting for its loops to release their channels. */
    @Override
    public void close() {
        EventLoopGroup[] started;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            started = new EventLoopGroup[] {serverBoss, serverWorkers, clientLoops};
        }
        for (EventLoopGroup group : started) {
            if (group != null) {
                group.close();
            }
        }
    }

    @Override
    public String toString() {
        return "RpcResources[" + bufferPool + ", clientIoThreads=" + clientIoThreads + ", serverIoThreads="
                + serverIoThreads + "]";
    }
}
