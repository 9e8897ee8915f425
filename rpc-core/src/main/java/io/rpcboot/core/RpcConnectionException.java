package io.rpcboot.core;

import io.rpcboot.core.RpcException;

/** The connection to the provider failed: it could not be opened, or it was lost during the call. */
public final class RpcConnectionException extends RpcException {

    private static final long serialVersionUID = 1L;

    private final boolean mayHaveRun;

    public RpcConnectionException(String message, boolean mayHaveRun, Throwable cause) {
        super(message, cause);
        this.mayHaveRun = mayHaveRun;
    }

    public RpcConnectionException(String message, boolean mayHaveRun) {
        super(message);
        this.mayHaveRun = mayHaveRun;
    }

    /** False when the request provably never reached the provider. */
    public boolean mayHaveRun() {
        return mayHaveRun;
    }
}
