package io.rpcboot.core;

import io.rpcboot.core.RpcException;

/** A call did not complete before its deadline. */
public final class RpcTimeoutException extends RpcException {

    private static final long serialVersionUID = 1L;

    private final boolean inheritedDeadline;

    public RpcTimeoutException(String message) {
        this(message, false);
    }

    /**
     * @param inheritedDeadline whether the deadline that passed was inherited from the call being
     *                          served on the calling thread ({@link RpcContext})
     */
    public RpcTimeoutException(String message, boolean inheritedDeadline) {
        super(message);
        this.inheritedDeadline = inheritedDeadline;
    }

    /**
     * Whether the deadline that passed was the one inherited from the call being served: a provider
     * that lets this exception escape answers its own caller with
     * {@link RpcStatus#DEADLINE_EXCEEDED_WHILE_RUNNING}, which that caller sees as a timeout too.
     */
    public boolean isInheritedDeadline() {
        return inheritedDeadline;
    }
}
