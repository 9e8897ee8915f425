package io.rpcboot.core;

/**
 * The outcome carried by a response, in header byte 6. Like gRPC's status codes, each says what a
 * caller can do: {@link #isNotExecuted()} statuses prove the call did not run, and
 * {@link #isRetryableElsewhere()} ones are sent to another instance.
 */
public enum RpcStatus {
    /** The call ran; the body holds the result. */
    OK(0, false, false),
    /** The request could not be understood (bad arguments, unknown serialization, refused type). */
    BAD_REQUEST(1, true, false),
    /** No such service (interface, version, group) or method here. */
    NOT_FOUND(2, true, true),
    /** The method ran and threw; the body holds the exception's type and message. */
    SERVICE_ERROR(3, false, false),
    /** The server's executor was full: the call was not run. */
    OVERLOADED(4, true, true),
    /** The deadline had passed before the call could start: it was not run. */
    DEADLINE_EXCEEDED(5, true, false),
    /** The server is shutting down and took no new calls: it was not run. */
    DRAINING(6, true, true),
    /** The server failed outside the method, e.g. while writing the result. */
    INTERNAL(7, false, false),
    /**
     * A limit of the server refused the call before it ran: the request was larger than the frame
     * limit (its body was skipped), or its connection had too many calls in flight.
     */
    RESOURCE_EXHAUSTED(8, true, false),
    /**
     * The deadline passed while the call ran: the method started, then ran out of time (typically a
     * call it made to another service ran out of the deadline it inherited). It may have done part
     * of its work, so it is not "not run"; the caller reports it as a timeout.
     */
    DEADLINE_EXCEEDED_WHILE_RUNNING(9, false, false),
    /**
     * The server refused the call before it ran because it could not tell who sent it: no
     * credentials, or credentials it does not accept. Another instance would refuse it too: never
     * retried.
     */
    UNAUTHENTICATED(10, true, false),
    /**
     * The server knows who sent the call and refused it before it ran: that caller may not call this
     * method. Never retried. (A method that throws an access-denied exception from its body ran, and
     * ends with {@link #SERVICE_ERROR}.)
     */
    PERMISSION_DENIED(11, true, false),
    /** A code this side does not know (sent by a newer peer). */
    UNKNOWN(255, false, false);

    private static final RpcStatus[] BY_CODE = new RpcStatus[256];

    static {
        for (RpcStatus s : values()) {
            BY_CODE[s.code] = s;
        }
    }

    private final int code;
    private final boolean notExecuted;
    private final boolean retryableElsewhere;

    RpcStatus(int code, boolean notExecuted, boolean retryableElsewhere) {
        this.code = code;
        this.notExecuted = notExecuted;
        this.retryableElsewhere = retryableElsewhere;
    }

    public int code() {
        return code;
    }

    /** Whether this status proves that the method did not run. */
    public boolean isNotExecuted() {
        return notExecuted;
    }

    /**
     * Whether a client sends the call to another instance after this status, whatever its retry
     * settings: the call did not run and another instance may well take it (this one was busy,
     * draining, or lacks the service). Statuses that did not run but would be the same everywhere
     * (a bad request, a refused caller, a passed deadline) are not.
     */
    public boolean isRetryableElsewhere() {
        return retryableElsewhere;
    }

    /** The status with this code; {@link #UNKNOWN} for codes this side does not know. */
    public static RpcStatus of(int code) {
        RpcStatus s = code >= 0 && code < 256 ? BY_CODE[code] : null;
        return s != null ? s : UNKNOWN;
    }
}
