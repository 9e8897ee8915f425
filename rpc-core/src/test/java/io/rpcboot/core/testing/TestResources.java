package io.rpcboot.core.testing;

import java.util.Objects;

import io.rpcboot.core.BufferPoolStats;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import io.rpcboot.core.internal.resources.ResourceParts;
import io.rpcboot.core.resources.RpcResources;
import org.jspecify.annotations.Nullable;

/**
 * Resources made of parts a test made and keeps: a pool whose buffers it counts, loops it kills, a
 * clock it moves. Loop groups it leaves out are made (and closed) by each client or server, as when
 * no resources are given. {@link #close()} closes nothing: every part is the test's.
 */
public final class TestResources implements RpcResources, ResourceParts {

    private final BufferPool pool;
    private final @Nullable EventLoopGroup clientLoops;
    private final @Nullable EventLoopGroup serverBoss;
    private final @Nullable EventLoopGroup serverWorkers;
    private final CallClock clock;

    private TestResources(Parts parts) {
        this.pool = parts.pool;
        this.clientLoops = parts.clientLoops;
        this.serverBoss = parts.serverBoss;
        this.serverWorkers = parts.serverWorkers;
        this.clock = parts.clock;
    }

    /** Resources on {@code pool}, to which the test adds loops or a clock of its own. */
    public static Parts parts(BufferPool pool) {
        return new Parts(pool);
    }

    @Override
    public BufferPool bufferPool() {
        return pool;
    }

    @Override
    public @Nullable EventLoopGroup clientLoops() {
        return clientLoops;
    }

    @Override
    public @Nullable EventLoopGroup serverBoss() {
        return serverBoss;
    }

    @Override
    public @Nullable EventLoopGroup serverWorkers() {
        return serverWorkers;
    }

    @Override
    public boolean serverLoopsStarted() {
        return serverBoss != null;
    }

    @Override
    public CallClock clock() {
        return clock;
    }

    @Override
    public BufferPoolStats bufferPoolStats() {
        return pool.stats();
    }

    @Override
    public int clientIoThreads() {
        return clientLoops != null ? clientLoops.size() : 0;
    }

    @Override
    public int serverIoThreads() {
        return serverWorkers != null ? serverWorkers.size() : 0;
    }

    @Override
    public void close() {
        // the parts are the test's
    }

    /** The parts; each is optional but the pool. */
    public static final class Parts {
        private final BufferPool pool;
        private @Nullable EventLoopGroup clientLoops;
        private @Nullable EventLoopGroup serverBoss;
        private @Nullable EventLoopGroup serverWorkers;
        private CallClock clock = CallClock.SYSTEM;

        private Parts(BufferPool pool) {
            this.pool = Objects.requireNonNull(pool, "pool");
        }

        public Parts clientLoops(EventLoopGroup loops) {
            this.clientLoops = Objects.requireNonNull(loops, "loops");
            return this;
        }

        public Parts serverLoops(EventLoopGroup boss, EventLoopGroup workers) {
            this.serverBoss = Objects.requireNonNull(boss, "boss");
            this.serverWorkers = Objects.requireNonNull(workers, "workers");
            return this;
        }

        public Parts clock(CallClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public TestResources build() {
            return new TestResources(this);
        }
    }
}
