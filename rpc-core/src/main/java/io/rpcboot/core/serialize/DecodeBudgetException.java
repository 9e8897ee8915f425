package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

/**
 * Decoding would create more objects than the bytes received allow (the decode budget of
 * {@link BinaryReader}). Counted by the receiver as {@code rpc.limits.exceeded{reason=decode_budget}}.
 */
public final class DecodeBudgetException extends SerializationException {

    private static final long serialVersionUID = 1L;

    public DecodeBudgetException(String message) {
        super(message);
    }
}
