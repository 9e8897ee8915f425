package io.rpcboot.core.resources;

import io.rpcboot.core.BufferPoolStats;
import io.rpcboot.core.internal.buffer.BufferPool;

/**
 * What clients and servers of one application may share: the network buffer pool and the event
 * loops (one group for clients; an accepting boss and the worker loops for servers). Each group of
 * loops starts on first use, so an application that only calls out starts no server loops.
 *
 * <pre>{@code
 * try (RpcResources resources = RpcResources.builder().clientIoThreads(2).build();
 *      RpcServer server = RpcServer.builder().resources(resources).service(Greeter.class, impl).start();
 *      RpcClient client = RpcClient.builder().resources(resources).staticInstances(Greeter.class, "127.0.0.1:7070").build()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>The owner is whoever built it: clients and servers given these resources use them and never
 * close them, so close the resources after the last client and server that uses them. Thread-safe.
 * Only {@link #builder()} makes instances.
 */
public interface RpcResources extends AutoCloseable {

    static Builder builder() {
        return new Builder();
    }

    /** The buffer pool's figures now; cheap enough for a health check or a scrape, not for every call. */
    BufferPoolStats bufferPoolStats();

    /** Event loop threads for clients. */
    int clientIoThreads();

    /** Worker event loop threads for servers (besides the one accepting loop). */
    int serverIoThreads();

    /** Stops the event loops that were started (waiting for them to release their channels). Idempotent. */
    @Override
    void close();

    /**
     * Validated settings: {@link #build()} throws {@link IllegalArgumentException} naming the
     * setting, the value and the allowed range.
     */
    final class Builder {
        /** The most event loop threads one group may have. */
        public static final int MAX_IO_THREADS = 1024;

        private int maxBufferSize = BufferPool.DEFAULT_MAX_BUFFER_SIZE;
        private long maxPooledBytes = BufferPool.DEFAULT_MAX_POOLED_BYTES;
        private boolean directBuffers = true;
        private int clientIoThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int serverIoThreads = Math.max(1, Runtime.getRuntime().availableProcessors());

        private Builder() {
        }

        /** Largest buffer served from the pool, a power of two from 256 B to 1 GiB; default 64 KiB. */
        public Builder maxBufferSize(int bytes) {
            this.maxBufferSize = bytes;
            return this;
        }

        /** Memory the pool may keep for reuse, >= 0 (0 pools nothing); default 64 MiB. */
        public Builder maxPooledBytes(long bytes) {
            this.maxPooledBytes = bytes;
            return this;
        }

        /** Whether pooled buffers live outside the heap; default true. */
        public Builder directBuffers(boolean direct) {
            this.directBuffers = direct;
            return this;
        }

        /** Event loop threads for clients, 1..1024; default one per processor. */
        public Builder clientIoThreads(int threads) {
            this.clientIoThreads = threads;
            return this;
        }

        /** Worker event loop threads for servers, 1..1024; default one per processor. */
        public Builder serverIoThreads(int threads) {
            this.serverIoThreads = threads;
            return this;
        }

        /** Validates the settings and makes the pool; no thread starts until a client or server needs one. */
        public RpcResources build() {
            requireThreads("clientIoThreads", clientIoThreads);
            requireThreads("serverIoThreads", serverIoThreads);
            return new PooledResources(maxBufferSize, maxPooledBytes, directBuffers, clientIoThreads, serverIoThreads);
        }

        private static void requireThreads(String name, int value) {
            if (value < 1 || value > MAX_IO_THREADS) {
                throw new IllegalArgumentException(name + " must be 1.." + MAX_IO_THREADS + ", was " + value);
            }
        }
    }
}
