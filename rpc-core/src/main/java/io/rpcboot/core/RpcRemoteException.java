package io.rpcboot.core;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.RpcStatus;

/**
 * The provider answered with an error: the method threw ({@link RpcStatus#SERVICE_ERROR}, with the
 * exception's class name and message), or the call was refused (another status).
 */
public final class RpcRemoteException extends RpcException {

    private static final long serialVersionUID = 1L;

    private final RpcStatus status;
    private final String remoteType;
    private final String remoteMessage;

    public RpcRemoteException(RpcStatus status, String remoteType, String remoteMessage, String context) {
        super(context + ": " + (status == RpcStatus.SERVICE_ERROR ? remoteType + ": " + remoteMessage
                : status + " (" + remoteMessage + ")"));
        this.status = status;
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage;
    }

    public RpcStatus status() {
        return status;
    }

    /** For a service error, the class name of the exception the provider threw; otherwise the status name. */
    public String remoteType() {
        return remoteType;
    }

    public String remoteMessage() {
        return remoteMessage;
    }
}
