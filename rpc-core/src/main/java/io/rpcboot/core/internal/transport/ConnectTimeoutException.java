package io.rpcboot.core.internal.transport;

import java.net.ConnectException;

/** A TCP connect did not complete within the configured connect timeout. */
public final class ConnectTimeoutException extends ConnectException {

    private static final long serialVersionUID = 1L;

    public ConnectTimeoutException(String message) {
        super(message);
    }
}
