package io.rpcboot.core.internal.protocol;

/**
 * The peer's first bytes are not an rpc-boot frame at all (HTTP, TLS, anything else): it does not
 * speak the protocol, so no call sent to it can have run.
 */
public final class ForeignProtocolException extends ProtocolException {

    private static final long serialVersionUID = 1L;

    public ForeignProtocolException(String message) {
        super(message);
    }
}
