package io.rpcboot.core.client;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.protocol.Status;

/**
 * The provider answered with an error: the method threw ({@link Status#SERVICE_ERROR}, with the
 * exception's class name and message), or the call was refused (another status).
 */
public final class RpcRemoteException extends RpcException {

    private static final long serialVersionUID = 1L;

    private final Status status;
    private final String remoteType;
    private final String remoteMessage;

    public RpcRemoteException(Status status, String remoteType, String remoteMessage, String context) {
        super(context + ": " + (status == Status.SERVICE_ERROR ? remoteType + ": " + remoteMessage
                : status + " (" + remoteMessage + ")"));
        this.status = status;
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage;
    }

    public Status status() {
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
