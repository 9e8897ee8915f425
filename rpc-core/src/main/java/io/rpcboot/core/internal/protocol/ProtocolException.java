package io.rpcboot.core.internal.protocol;

import io.rpcboot.core.RpcException;

/** Bytes that are not a valid frame. The connection they came on cannot be trusted any more. */
public class ProtocolException extends RpcException {

    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
