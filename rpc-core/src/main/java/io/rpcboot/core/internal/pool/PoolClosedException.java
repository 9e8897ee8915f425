package io.rpcboot.core.internal.pool;

/** The pool was closed before, or while, a connection was leased from it: no connection was. */
public final class PoolClosedException extends PoolException {

    private static final long serialVersionUID = 1L;

    public PoolClosedException(String message) {
        super(message);
    }
}
