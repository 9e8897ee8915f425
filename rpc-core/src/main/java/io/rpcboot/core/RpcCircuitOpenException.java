package io.rpcboot.core;

/**
 * A reference's circuit breaker is open (or half-open with its trial calls taken): the call was
 * refused at once and sent to no provider. The breaker lets calls through again after its wait in
 * the open state; a reference with a fallback answers from it instead of throwing this.
 */
public final class RpcCircuitOpenException extends RpcException {

    private static final long serialVersionUID = 1L;

    private final String breaker;

    public RpcCircuitOpenException(String message, String breaker) {
        super(message);
        this.breaker = breaker;
    }

    /** The name of the breaker that refused the call (the service key, or {@code key#method} for a method's own). */
    public String breaker() {
        return breaker;
    }
}
