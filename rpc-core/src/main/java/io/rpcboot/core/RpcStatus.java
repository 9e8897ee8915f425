package io.rpcboot.core;

/**
 * The outcome carried by a response, in header byte 6. Like gRPC's status codes, each says what a
 * caller can do: {@link #isNotExecuted()} statuses prove the call did not run, so any client may
 * safely send it to another instance.
 */
public enum RpcStatus {
    /** The call ran; the body holds the result. */
    OK(0, false),
    /** The request could not be understood (bad arguments, unknown serialization, refused type). */
    BAD_REQUEST(1, true),
    /** No such service (interface, version, group) or method here. */
    NOT_FOUND(2, true),
    /** The method ran and threw; the body holds the exception's type and message. */
    SERVICE_ERROR(3, false),
    /** The server's executor was full: the call was not run. */
    OVERLOADED(4, true),
    /** The deadline had passed before the call could start: it was not run. */
    DEADLINE_EXCEEDED(5, true),
    /** The server is shutting down and took no new calls: it was not run. */
    DRAINING(6, true),
    /** The server failed outside the method, e.g. while writing the result. */
    INTERNAL(7, false),
    /**
     * A limit of the server refused the call before it ran: the request was larger than the frame
     * limit (its body was skipped), or its connection had too many calls in flight.
     */
    RESOURCE_EXHAUSTED(8, true),
    /**
     * The deadline passed while the call ran: the method started, then ran out of time (typically a
     * call it made to another service ran out of the deadline it inherited). It may have done part
     * of its work, so it is not "not run"; the caller reports it as a timeout.
     */
    DEADLINE_EXCEEDED_WHILE_RUNNING(9, false),
    /** A code this side does not know (sent by a newer peer). */
    UNKNOWN(255, false);

    private static final RpcStatus[] BY_CODE = new RpcStatus[256];

    static {
        for (RpcStatus s : values()) {
            BY_CODE[s.code] = s;
        }
    }

    private final int code;
    private final boolean notExecuted;

    RpcStatus(int code, boolean notExecuted) {
        this.code = code;
        this.notExecuted = notExecuted;
    }

    public int code() {
        return code;
    }

    /** Whether this status proves that the method did not run. */
    public boolean isNotExecuted() {
        return notExecuted;
    }

    /** The status with this code; {@link #UNKNOWN} for codes this side does not know. */
    public static RpcStatus of(int code) {
        RpcStatus s = code >= 0 && code < 256 ? BY_CODE[code] : null;
        return s != null ? s : UNKNOWN;
    }
}
