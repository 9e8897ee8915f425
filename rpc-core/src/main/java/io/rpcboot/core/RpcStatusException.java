package io.rpcboot.core;

import java.util.Objects;

/**
 * Thrown by a server interceptor to answer a call with {@link #status()} before the provider method
 * runs: {@link RpcStatus#UNAUTHENTICATED} for a caller without acceptable credentials,
 * {@link RpcStatus#PERMISSION_DENIED} for one that may not call the method, or another status that
 * proves the call did not run. The client gets an {@link RpcRemoteException} with that status and
 * this message (so the message must not hold secrets). Thrown from inside the method body, it is the
 * method's error like any other ({@link RpcStatus#SERVICE_ERROR}): the method ran.
 */
public class RpcStatusException extends RpcException {

    private final RpcStatus status;

    /**
     * @throws IllegalArgumentException if {@code status} does not prove that the call did not run
     */
    public RpcStatusException(RpcStatus status, String message) {
        super(message);
        this.status = Objects.requireNonNull(status, "status");
        if (!status.isNotExecuted()) {
            throw new IllegalArgumentException("an interceptor answers before the method runs: " + status
                    + " does not say the call did not run; use UNAUTHENTICATED, PERMISSION_DENIED or another such status");
        }
    }

    public RpcStatus status() {
        return status;
    }
}
