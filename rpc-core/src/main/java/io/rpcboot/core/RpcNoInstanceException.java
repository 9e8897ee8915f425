package io.rpcboot.core;

import io.rpcboot.core.RpcException;

/** No instance of the service could take the call: none is known, or all were tried or are unavailable. */
public final class RpcNoInstanceException extends RpcException {

    private static final long serialVersionUID = 1L;

    public RpcNoInstanceException(String message) {
        super(message);
    }

    public RpcNoInstanceException(String message, Throwable cause) {
        super(message, cause);
    }
}
