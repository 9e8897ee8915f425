package io.rpcboot.core.metrics;

import io.rpcboot.core.RpcStatus;

/**
 * How a call ended, as the {@code outcome} tag of the request timers (docs/observability.md lists
 * each value with the statuses it stands for). The {@code status} tag says which status it was.
 */
public enum Outcome {
    /** The method returned (on the server: in time for the caller). */
    SUCCESS("success"),
    /** The method threw ({@link RpcStatus#SERVICE_ERROR}). */
    ERROR("error"),
    /** The deadline passed, before or while the method ran. */
    TIMEOUT("timeout"),
    /** Server only: the method returned after the caller's deadline; the answer went to nobody. */
    LATE("late"),
    /** Not run by the provider's choice: overloaded, draining, a limit, or no such service or method. */
    REJECTED("rejected"),
    /** Refused before it ran because of who called: unauthenticated or not permitted. */
    DENIED("denied"),
    /** Client only: no instance known or left to try, no connection, or the connection was lost. */
    UNAVAILABLE("unavailable"),
    /** Anything else: a bad request, an internal failure, a codec failure, a closed client. */
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
            case UNAUTHENTICATED, PERMISSION_DENIED -> DENIED;
            default -> FAILURE;
        };
    }
}
