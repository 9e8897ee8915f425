package io.rpcboot.core.internal.protocol;

import org.jspecify.annotations.Nullable;

/** The kinds of frame, by their code in header byte 3. */
public enum FrameType {
    /** A call that expects a response with the same request id. */
    REQUEST(1),
    /** A call that expects no response. */
    ONE_WAY(2),
    /** The answer to a request: a result, or an error with its status. */
    RESPONSE(3),
    /** A keep-alive probe; answered by a heartbeat with the reply flag and the same request id. */
    HEARTBEAT(4),
    /** The sender is shutting down: send no new calls on this connection. */
    DRAINING(5);

    private static final FrameType[] BY_CODE = new FrameType[6];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    static @Nullable FrameType of(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
