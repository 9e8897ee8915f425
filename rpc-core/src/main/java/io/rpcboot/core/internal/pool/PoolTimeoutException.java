package io.rpcboot.core.internal.pool;

import io.rpcboot.core.RpcException;

/** No connection became available before the acquire timeout. */
public final class PoolTimeoutException extends RpcException {

    private static final long serialVersionUID = 1L;

    public PoolTimeoutException(String message) {
        super(message);
    }
}
