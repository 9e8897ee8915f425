package io.rpcboot.core;

import io.rpcboot.core.RpcException;

/** A call did not complete before its deadline. */
public final class RpcTimeoutException extends RpcException {

    private static final long serialVersionUID = 1L;

    public RpcTimeoutException(String message) {
        super(message);
    }
}
