package io.rpcboot.core;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.RpcStatus;
import org.jspecify.annotations.Nullable;

/**
 * The provider answered with an error: the method threw ({@link RpcStatus#SERVICE_ERROR}, with the
 * exception's class name and message), or the call was refused (another status). A declared or
 * allow-listed exception the provider threw reaches the caller as itself, not as this; see
 * {@link #providerException()}.
 */
public final class RpcRemoteException extends RpcException {

    private static final long serialVersionUID = 1L;

    private final RpcStatus status;
    private final String remoteType;
    private final String remoteMessage;
    private final @Nullable Throwable providerException;

    public RpcRemoteException(RpcStatus status, String remoteType, String remoteMessage, String context) {
        this(status, remoteType, remoteMessage, context, null);
    }

    /**
     * @param providerException the provider's exception rebuilt as its own class (see
     *                          {@link #providerException()}), or null
     */
    public RpcRemoteException(RpcStatus status, String remoteType, String remoteMessage, String context,
                              @Nullable Throwable providerException) {
        super(context + ": " + (status == RpcStatus.SERVICE_ERROR ? remoteType + ": " + remoteMessage
                : status + " (" + remoteMessage + ")"));
        this.status = status;
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage;
        this.providerException = providerException;
    }

    /**
     * The exception the provider threw, rebuilt as its own class with its message, fields and cause
     * chain, when the method declares it or this client's allow-list names it and the class is on
     * this side's class path; null otherwise. A call made through a proxy throws this exception
     * itself (this one is then among its suppressed exceptions, saying where it came from);
     * interceptors see the {@code RpcRemoteException}.
     */
    public @Nullable Throwable providerException() {
        return providerException;
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
