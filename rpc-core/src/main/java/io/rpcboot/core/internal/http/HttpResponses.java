package io.rpcboot.core.internal.http;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/** Writes HTTP/1.1 responses: a status line, a few header fields and a body with its length. */
public final class HttpResponses {

    /** What a server answers to {@code Expect: 100-continue} before it reads the body. */
    public static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private HttpResponses() {
    }

    /**
     * The bytes of one response. {@code headers} are name, value pairs; values must not hold CR or LF
     * (they are replaced by spaces if they do). A 204 or 304 carries no body and no length.
     */
    public static byte[] response(int status, boolean keepAlive, @Nullable String contentType, byte[] body, int offset,
                                  int length, String... headers) {
        return response(status, keepAlive, false, false, contentType, body, offset, length, headers);
    }

    /**
     * As above; {@code http10}: the client spoke HTTP/1.0, which keeps a connection only when told
     * {@code Connection: keep-alive}; {@code headRequest}: the answer to a HEAD request, with the length of
     * {@code body} but not its bytes.
     */
    public static byte[] response(int status, boolean keepAlive, boolean http10, boolean headRequest,
                                  @Nullable String contentType, byte[] body, int offset, int length, String... headers) {
        StringBuilder lines = new StringBuilder(128 + headers.length * 16);
        lines.append("HTTP/1.1 ").append(status).append(' ').append(reasonPhrase(status)).append("\r\n");
        boolean noBody = status == 204 || status == 304;
        if (!noBody) {
            if (contentType != null) {
                lines.append("Content-Type: ").append(contentType).append("\r\n");
            }
            lines.append("Content-Length: ").append(length).append("\r\n");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            lines.append(headers[i]).append(": ").append(clean(headers[i + 1])).append("\r\n");
        }
        if (!keepAlive) {
            lines.append("Connection: close\r\n");
        } else if (http10) {
            lines.append("Connection: keep-alive\r\n");
        }
        lines.append("\r\n");
        byte[] h = lines.toString().getBytes(StandardCharsets.UTF_8);
        if (noBody || headRequest) {
            return h;
        }
        byte[] all = new byte[h.length + length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, offset, all, h.length, length);
        return all;
    }

    private static String clean(String value) {
        StringBuilder sb = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7F || c > 0xFF) {
                if (sb == null) {
                    sb = new StringBuilder(value.substring(0, i));
                }
                sb.append(c > 0xFF ? '?' : ' ');
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? value : sb.toString();
    }

    public static String reasonPhrase(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 200 -> "OK";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 417 -> "Expectation Failed";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status " + status;
        };
    }
}
