package io.rpcboot.core.server;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;

import io.rpcboot.core.internal.threads.VirtualThreads;

/**
 * The worker pool on virtual threads ({@link ServerConfig#virtualThreads()}, Java 21 or later), with
 * the platform pool's bounds: a new virtual thread per call, at most {@code workers} running at once
 * and {@code queue} more waiting (parked, in arrival order) for one of them to finish. A call that
 * finds both full is refused at once ({@link RejectedExecutionException}, answered OVERLOADED), as
 * by a full pool; a call that waited too long is answered by the dispatcher's deadline check when
 * it runs, as one from the pool's queue.
 *
 * <p>{@link #execute} may be called from any thread.
 */
final class VirtualWorkers implements Executor {

    private final ThreadFactory factory;
    private final int workers;
    private final int queue;
    /** Calls admitted: running or waiting to run. */
    private final Semaphore admitted;
    /** Calls running; fair, so that waiting calls run in the order they came. */
    private final Semaphore running;
    private volatile boolean shutdown;

    /** @throws IllegalStateException before Java 21 */
    VirtualWorkers(int workers, int queue) {
        this.factory = VirtualThreads.factory("rpc-vworker-");
        this.workers = workers;
        this.queue = queue;
        this.admitted = new Semaphore(workers + queue);
        this.running = new Semaphore(workers, true);
    }

    @Override
    public void execute(Runnable call) {
        if (shutdown) {
            throw new RejectedExecutionException("the server's virtual workers are shut down");
        }
        if (!admitted.tryAcquire()) {
            throw new RejectedExecutionException("all " + workers + " virtual workers are busy and " + queue
                    + " calls wait");
        }
        try {
            Thread thread = factory.newThread(() -> {
                try {
                    running.acquireUninterruptibly(); // a waiting call parks its virtual thread only
                    try {
                        call.run();
                    } finally {
                        running.release();
                    }
                } finally {
                    admitted.release();
                }
            });
            thread.start();
        } catch (RuntimeException | Error e) { // out of memory for the thread, or the like: the call did not start
            admitted.release();
            throw new RejectedExecutionException("a virtual worker could not start", e);
        }
    }

    /** Refuses new calls; those admitted run and finish on their own threads. */
    void shutdown() {
        shutdown = true;
    }
}
