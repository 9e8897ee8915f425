package io.rpcboot.core.server;

/**
 * Where provider methods run. Set for the whole server, a service or one method
 * ({@code rpc.server.execution-mode}, {@code rpc.server.services.[interface].execution},
 * {@code .methods.[method].execution}).
 */
public enum ExecutionMode {
    /**
     * On the bounded worker pool until the method has shown that it neither works nor waits for
     * long (1,000 runs on the pool, at most one of them slow: holding the thread 2 ms, or blocked
     * 200 µs), then on the I/O loop that read the request. Back to the pool when a run there held
     * the loop 20 ms, or at a slow run fewer than 100 runs after another, for a while that doubles
     * with each move (1 s to 5 min); for good when a run held the loop 100 ms, or at the fifth move
     * without an hour on the loop between two of them. The first calls of a method are on the pool.
     * Run times leave out the time a thread waited for a core and collection pauses; blocking is
     * known where Linux counts run-queue time (elsewhere only the 2 ms are judged). A request body
     * over 64 KiB, or compressed, is decoded on the pool. The default.
     *
     * <p>A method that is fast for 1,000 calls and then blocks for 100 ms or more holds one loop
     * once, for that run: the calls that loop read meanwhile wait, while the other loops send the
     * method's calls to the pool once it has held its loop 20 ms. Set {@link #POOL} for it if even
     * that matters.
     */
    ADAPTIVE,
    /** On a bounded worker pool; a full pool answers "overloaded". For methods that block. */
    POOL,
    /** On the I/O loop that read the request: fastest, for methods that never block. */
    DIRECT
}
