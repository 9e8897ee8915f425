package io.rpcboot.core.resources;

import io.rpcboot.core.BufferPoolStats;
import io.rpcboot.core.internal.GuardedBy;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import io.rpcboot.core.internal.resources.ResourceParts;
import org.jspecify.annotations.Nullable;

/**
 * The one {@link RpcResources} implementation: a {@link BufferPool} made at once, and three
 * {@link EventLoopGroup}s made on first use (client loops are daemon threads, as a client's are
 * when it owns them; server loops are not, so a running server keeps the JVM alive). Clients and
 * servers reach the parts through {@link ResourceParts}.
 *
 * <p>Thread-safe: the groups are created and closed under {@code lock}; any thread may ask for them.
 */
final class PooledResources implements RpcResources, ResourceParts {

    private final BufferPool bufferPool;
    private final int clientIoThreads;
    private final int serverIoThreads;
    private final Object lock = new Object();
    @GuardedBy("lock")
    private @Nullable EventLoopGroup clientLoops;
    @GuardedBy("lock")
    private @Nullable EventLoopGroup serverBoss;
    @GuardedBy("lock")
    private @Nullable EventLoopGroup serverWorkers;
    @GuardedBy("lock")
    private boolean closed;

    /**
     * Makes the buffer pool; {@link BufferPool.Builder#build()} validates its settings.
     *
     * @throws IllegalArgumentException naming {@code maxBufferSize} or {@code maxPooledBytes}
     */
    PooledResources(int maxBufferSize, long maxPooledBytes, boolean directBuffers, int clientIoThreads,
                           int serverIoThreads) {
        this.bufferPool = BufferPool.builder().maxBufferSize(maxBufferSize).maxPooledBytes(maxPooledBytes)
                .direct(directBuffers).build();
        this.clientIoThreads = clientIoThreads;
        this.serverIoThreads = serverIoThreads;
    }

    @Override
    public BufferPool bufferPool() {
        return bufferPool;
    }

    /** The clients' loops, started on the first call */
    @Override
    public EventLoopGroup clientLoops() {
        synchronized (lock) {
            checkOpen();
            if (clientLoops == null) {
                clientLoops = new EventLoopGroup("rpc-client-io", clientIoThreads, true);
            }
            return clientLoops;
        }
    }

    /** The servers' accepting loop, started on the first call */
    @Override
    public EventLoopGroup serverBoss() {
        synchronized (lock) {
            checkOpen();
            if (serverBoss == null) {
                serverBoss = new EventLoopGroup("rpc-server-boss", 1, false);
            }
            return serverBoss;
        }
    }

    /** The servers' worker loops, started on the first call */
    @Override
    public EventLoopGroup serverWorkers() {
        synchronized (lock) {
            checkOpen();
            if (serverWorkers == null) {
                serverWorkers = new EventLoopGroup("rpc-server-io", serverIoThreads, false);
            }
            return serverWorkers;
        }
    }

    @Override
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
    public CallClock clock() {
        return CallClock.SYSTEM;
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
