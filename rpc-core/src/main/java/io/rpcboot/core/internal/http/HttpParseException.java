package io.rpcboot.core.internal.http;

/**
 * A request that cannot be served as sent: the status to answer with (the connection then closes,
 * since the stream may not be readable past it), the limit or rule it broke as a meter reason, and a
 * message for the client and the log.
 */
public final class HttpParseException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String reason;

    public HttpParseException(int status, String reason, String message) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }

    /** The {@code reason} tag of {@code rpc.limits.exceeded}: {@code http_malformed}, {@code http_header_size}... */
    public String reason() {
        return reason;
    }
}
