package io.rpcboot.core;

/**
 * The root of rpc-boot's unchecked exceptions. Each subclass is something a caller can act on
 * (a timeout, a remote failure, no instance, overload, a protocol or serialization error) and its
 * message gives the facts: service, method, address, limit and observed value.
 */
public class RpcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RpcException(String message) {
        super(message);
    }

    public RpcException(String message, Throwable cause) {
        super(message, cause);
    }
}
