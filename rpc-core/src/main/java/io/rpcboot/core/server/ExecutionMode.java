package io.rpcboot.core.server;

/** Where provider methods run. */
public enum ExecutionMode {
    /** On a bounded worker pool; a full pool answers "overloaded". The default. */
    POOL,
    /** On the I/O loop that read the request: fastest, for methods that never block. */
    DIRECT
}
