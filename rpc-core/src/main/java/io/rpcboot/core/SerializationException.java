package io.rpcboot.core;

import io.rpcboot.core.RpcException;

/** A value could not be encoded or decoded: malformed bytes, a refused type, an unsupported type. */
public class SerializationException extends RpcException {

    private static final long serialVersionUID = 1L;

    public SerializationException(String message) {
        super(message);
    }

    public SerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
