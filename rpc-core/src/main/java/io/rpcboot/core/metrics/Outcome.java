package io.rpcboot.core.metrics;

import io.rpcboot.core.RpcStatus;

/** How a call ended, as the {@code outcome} tag of the request timers. */
public enum Outcome {
    /** The method returned. */
    SUCCESS("success"),
    /** The method threw. */
    ERROR("error"),
    /** The deadline passed. */
    TIMEOUT("timeout"),
    /** Not run: overloaded, draining, a limit, or no such service or method. */
    REJECTED("rejected"),
    /** Anything else: a bad request, a lost connection, an internal failure. */
    FAILURE("failure");

    private final String tag;

    Outcome(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }

    /** The outcome a response status stands for. */
    public static Outcome of(RpcStatus status) {
        return switch (status) {
            case OK -> SUCCESS;
            case SERVICE_ERROR -> ERROR;
            case DEADLINE_EXCEEDED, DEADLINE_EXCEEDED_WHILE_RUNNING -> TIMEOUT;
            case OVERLOADED, DRAINING, NOT_FOUND, RESOURCE_EXHAUSTED -> REJECTED;
            default -> FAILURE;
        };
    }
}
