package io.rpcboot.core.server;

/**
 * Where provider methods run. Set for the whole server, a service or one method
 * ({@code rpc.server.execution-mode}, {@code rpc.server.services.[interface].execution},
 * {@code .methods.[method].execution}).
 */
public enum ExecutionMode {
    /**
     * On the bounded worker pool until the method has shown that it never holds a thread for long
     * (1,000 runs on the pool, at most one of them over 2 ms), then on the I/O loop that read the
     * request; back to the pool at the first run on the loop over 2 ms, for a while that doubles with
     * each move (1 s to 5 min). The first calls of a method are on the pool. Run times leave out the
     * time a thread waited for a core where Linux tells it, and runs during a garbage collection
     * are not judged. A request body over 64 KiB, or compressed, is decoded on the pool. The default.
     *
     * <p>A method that is fast for 1,000 calls and then blocks holds its loop once per move: the
     * calls read by that loop wait that long. Set {@link #POOL} for it if that matters.
     */
    ADAPTIVE,
    /** On a bounded worker pool; a full pool answers "overloaded". For methods that block. */
    POOL,
    /** On the I/O loop that read the request: fastest, for methods that never block. */
    DIRECT
}
