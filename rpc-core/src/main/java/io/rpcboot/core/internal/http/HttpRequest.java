package io.rpcboot.core.internal.http;

import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.x request as {@link HttpRequestParser} read it: the request line, the header fields
 * (names lower-cased, in arrival order) and the body, de-chunked. The body array may be longer than
 * {@link #bodyLength()}.
 */
public final class HttpRequest {

    private final String method;
    private final String target;
    private final int minorVersion;
    private final List<String[]> headers;
    byte[] body = HttpRequestParser.NO_BYTES;
    int bodyLength;

    HttpRequest(String method, String target, int minorVersion, List<String[]> headers) {
        this.method = method;
        this.target = target;
        this.minorVersion = minorVersion;
        this.headers = headers;
    }

    /** The method token, as sent (methods are case-sensitive). */
    public String method() {
        return method;
    }

    /** The request target as sent: an absolute path, with its query if any. */
    public String target() {
        return target;
    }

    /** The target's path, without the query. */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    public int minorVersion() {
        return minorVersion;
    }

    /** The first value of the header named {@code lowerCaseName}, or null. */
    public @Nullable String header(String lowerCaseName) {
        for (String[] h : headers) {
            if (h[0].equals(lowerCaseName)) {
                return h[1];
            }
        }
        return null;
    }

    /** Every header field as {name (lower case), value}, in arrival order. */
    public List<String[]> headers() {
        return headers;
    }

    public byte[] body() {
        return body;
    }

    public int bodyLength() {
        return bodyLength;
    }

    /**
     * Whether the connection stays open after the response: HTTP/1.1 unless the client said
     * {@code Connection: close}; HTTP/1.0 only if it said {@code Connection: keep-alive}.
     */
    public boolean keepAlive() {
        StringBuilder all = new StringBuilder(); // every Connection field: a list may be split across several
        for (String[] h : headers) {
            if (h[0].equals("connection")) {
                all.append(h[1]).append(',');
            }
        }
        String tokens = all.toString().toLowerCase(Locale.ROOT);
        if (minorVersion >= 1) {
            return !hasToken(tokens, "close");
        }
        return hasToken(tokens, "keep-alive");
    }

    private static boolean hasToken(String list, String token) {
        for (String t : list.split(",")) {
            if (t.trim().equals(token)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return method + " " + target + " HTTP/1." + minorVersion;
    }
}
