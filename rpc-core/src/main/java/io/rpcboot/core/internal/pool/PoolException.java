package io.rpcboot.core.internal.pool;

import io.rpcboot.core.RpcException;

/** A connection could not be opened for the pool, or the pool is closed ({@link PoolClosedException}). */
public class PoolException extends RpcException {

    private static final long serialVersionUID = 1L;

    public PoolException(String message, Throwable cause) {
        super(message, cause);
    }

    protected PoolException(String message) {
        super(message);
    }
}
