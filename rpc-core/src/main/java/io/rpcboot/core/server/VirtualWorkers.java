package io.rpcboot.core.server;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;

import io.rpcboot.core.internal.threads.VirtualThreads;

/**
 * The worker pool on virtual threads ({@link ServerConfig#virtualThreads()}, Java 21 or later): a
 * new virtual thread per call, at most {@code limit} running at once. A call that finds them all
 * busy is refused at once ({@link RejectedExecutionException}, answered OVERLOADED), as by a full
 * pool: nothing waits in a queue, so the bound on what the server holds stays the limit.
 *
 * <p>{@link #execute} may be called from any thread.
 */
final class VirtualWorkers implements Executor {

    private final ThreadFactory factory;
    private final int limit;
    private final Semaphore permits;
    private volatile boolean shutdown;

    /** @throws IllegalStateException before Java 21 */
    VirtualWorkers(int limit) {
        this.factory = VirtualThreads.factory("rpc-vworker-");
        this.limit = limit;
        this.permits = new Semaphore(limit);
    }

    @Override
    public void execute(Runnable call) {
        if (shutdown) {
            throw new RejectedExecutionException("the server's virtual workers are shut down");
        }
        if (!permits.tryAcquire()) {
            throw new RejectedExecutionException("all " + limit + " virtual workers are busy");
        }
        try {
            Thread thread = factory.newThread(() -> {
                try {
                    call.run();
                } finally {
                    permits.release();
                }
            });
            thread.start();
        } catch (RuntimeException | Error e) { // out of memory for the thread, or the like: the call did not start
            permits.release();
            throw new RejectedExecutionException("a virtual worker could not start", e);
        }
    }

    /** Refuses new calls; those running finish on their own threads. */
    void shutdown() {
        shutdown = true;
    }
}
