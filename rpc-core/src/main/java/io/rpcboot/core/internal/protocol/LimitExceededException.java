package io.rpcboot.core.internal.protocol;

import io.rpcboot.core.PeerLimits;

/**
 * A peer went past one of this side's budgets ({@link PeerLimits}, the frame limit). {@link #reason()}
 * is the short, stable name the limit is counted under ({@code rpc.limits.exceeded}'s {@code reason} tag).
 */
public final class LimitExceededException extends ProtocolException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    public LimitExceededException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** The limit's tag value, e.g. {@code header_size}, {@code inflated_size}, {@code frame_timeout}. */
    public String reason() {
        return reason;
    }
}
