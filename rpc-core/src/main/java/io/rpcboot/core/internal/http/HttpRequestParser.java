package io.rpcboot.core.internal.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Reads HTTP/1.x requests from one connection's bytes, whatever their split: feed every chunk in
 * order to {@link #parse}. What a client can make it hold is bounded by what it has sent and by two
 * budgets: the request line and header fields together ({@code maxHeaderBytes}, and at most
 * {@code maxHeaderFields} fields, in the head and in a chunked body's trailer), and the body
 * ({@code maxBodyBytes}, de-chunked). A body's
 * buffer starts small and grows as bytes arrive, never to more than the body's announced length.
 *
 * <p>Strict where leniency lets two readers disagree about where a request ends: lines end with
 * CRLF (a bare LF is refused), folded header lines, whitespace before a colon, a request with both
 * {@code Content-Length} and {@code Transfer-Encoding}, differing {@code Content-Length} values and
 * any transfer coding but {@code chunked} are refused. Up to {@value #MAX_LEADING_EMPTY_LINES} empty
 * lines before a request line are skipped (RFC 9112, 2.2). Any refusal is an
 * {@link HttpParseException} naming the status to answer; the stream cannot be read past it, so the
 * connection closes.
 *
 * <p>Not thread-safe: one parser per connection, on its loop.
 */
public final class HttpRequestParser {

    /** The most header fields one request (or its trailer) may have, unless told otherwise. */
    public static final int DEFAULT_MAX_HEADER_FIELDS = 100;
    /** Longest chunk-size line, extensions included. */
    public static final int MAX_CHUNK_LINE = 1024;
    static final int MAX_LEADING_EMPTY_LINES = 8;
    static final byte[] NO_BYTES = new byte[0];
    private static final int FIRST_BODY_CHUNK = 4096;

    /** {@link #parse} needs more bytes. */
    public static final int NEED_MORE = 0;
    /**
     * The head of a request that asked {@code Expect: 100-continue} is read, its body is not: the
     * caller may answer {@code 100 Continue} (or refuse the request) before the body comes.
     */
    public static final int HEAD = 1;
    /** A whole request is read: {@link #take()} it. */
    public static final int COMPLETE = 2;

    private enum State { HEAD, BODY, CHUNK_LINE, CHUNK_DATA, CHUNK_END, TRAILER, DONE }

    private final int maxHeaderBytes;
    private final int maxHeaderFields;
    private final int maxBodyBytes;
    private State state = State.HEAD;
    /** The head (or a chunk line, or the trailer) gathered so far. */
    private byte[] line = new byte[256];
    private int lineLength;
    /** Where the current line of {@code line} starts. */
    private int lineStart;
    private int headBytes;
    private int leadingEmpty;
    private @Nullable String requestLine;
    private final List<String[]> fields = new ArrayList<>();
    private @Nullable HttpRequest request;
    private long bodyLeft;
    private int trailerFields;
    /** Bytes of the trailer so far: it shares the header budget. */
    private int trailerBytes;
    /** When the first byte of the request being read arrived ({@link System#nanoTime()}), 0 between requests. */
    private long startedNanos;

    public HttpRequestParser(int maxHeaderBytes, int maxBodyBytes) {
        this(maxHeaderBytes, DEFAULT_MAX_HEADER_FIELDS, maxBodyBytes);
    }

    public HttpRequestParser(int maxHeaderBytes, int maxHeaderFields, int maxBodyBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxHeaderFields = maxHeaderFields;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * Reads from {@code data} up to the end of one request, or of its head when it expects
     * {@code 100-continue}; leaves the rest in {@code data}. Returns {@link #NEED_MORE},
     * {@link #HEAD} or {@link #COMPLETE}.
     */
    public int parse(ByteBuffer data) throws HttpParseException {
        if (startedNanos == 0 && data.hasRemaining()) {
            startedNanos = System.nanoTime();
        }
        while (true) {
            switch (state) {
                case HEAD -> {
                    int r = readHead(data);
                    if (r != COMPLETE) {
                        return NEED_MORE;
                    }
                    HttpRequest req = startRequest();
                    if (state == State.DONE) {
                        return COMPLETE;
                    }
                    if ("100-continue".equalsIgnoreCase(req.header("expect"))) {
                        return HEAD;
                    }
                }
                case BODY -> {
                    if (!readBody(data)) {
                        return NEED_MORE;
                    }
                    state = State.DONE;
                }
                case CHUNK_LINE -> {
                    if (!readLine(data, MAX_CHUNK_LINE, "http_malformed", 400, "a chunk-size line")) {
                        return NEED_MORE;
                    }
                    long size = chunkSize(lineText());
                    HttpRequest req = current();
                    if (req.bodyLength + size > maxBodyBytes) {
                        throw new HttpParseException(413, "http_body_size", "the chunked body is more than "
                                + maxBodyBytes + " bytes, the server's limit");
                    }
                    resetLine();
                    if (size == 0) {
                        state = State.TRAILER;
                    } else {
                        bodyLeft = size;
                        state = State.CHUNK_DATA;
                    }
                }
                case CHUNK_DATA -> {
                    if (!readBody(data)) {
                        return NEED_MORE;
                    }
                    state = State.CHUNK_END;
                }
                case CHUNK_END -> {
                    if (!readLine(data, 2, "http_malformed", 400, "the end of a chunk")) {
                        return NEED_MORE;
                    }
                    if (lineLength - lineStart != 0) {
                        throw new HttpParseException(400, "http_malformed", "chunk data is longer than its size");
                    }
                    resetLine();
                    state = State.CHUNK_LINE;
                }
                case TRAILER -> {
                    int before = lineLength;
                    boolean whole = readLine(data, maxHeaderBytes - trailerBytes + (lineLength - lineStart),
                            "http_header_size", 431, "the trailer");
                    trailerBytes += lineLength - before;
                    if (!whole) {
                        return NEED_MORE;
                    }
                    trailerBytes += 2;
                    boolean end = lineLength == lineStart;
                    resetLine();
                    if (end) {
                        state = State.DONE;
                    } else if (++trailerFields > maxHeaderFields) { // trailer fields are read and ignored
                        throw new HttpParseException(431, "http_header_size", "more than " + maxHeaderFields
                                + " trailer fields");
                    }
                }
                case DONE -> {
                    return COMPLETE;
                }
            }
        }
    }

    /** The request read by the last {@link #COMPLETE}; the parser is then ready for the next one. */
    public HttpRequest take() {
        HttpRequest req = current();
        if (state != State.DONE) {
            throw new IllegalStateException("no complete request");
        }
        request = null;
        requestLine = null;
        fields.clear();
        state = State.HEAD;
        headBytes = 0;
        leadingEmpty = 0;
        trailerFields = 0;
        trailerBytes = 0;
        startedNanos = 0;
        resetLine();
        if (line.length > 4096) {
            line = new byte[256]; // a large head is not kept for the life of the connection
        }
        return req;
    }

    /** The request whose head is read (after {@link #HEAD}), or null. */
    public @Nullable HttpRequest head() {
        return request;
    }

    /** When the first byte of the request being read arrived ({@link System#nanoTime()}); 0 if none is. */
    public long startedNanos() {
        return startedNanos;
    }

    /** Restarts the clock of a request being read (its reading was paused by this side). */
    public void restartClock() {
        if (startedNanos != 0) {
            startedNanos = System.nanoTime();
        }
    }

    private HttpRequest current() {
        HttpRequest r = request;
        if (r == null) {
            throw new IllegalStateException("no request");
        }
        return r;
    }

    /** Reads head lines; COMPLETE at the empty line that ends the head. */
    private int readHead(ByteBuffer data) throws HttpParseException {
        while (true) {
            int before = lineLength;
            boolean whole = readLine(data, maxHeaderBytes - headBytes + (lineLength - lineStart), "http_header_size",
                    431, "the request line and header fields");
            headBytes += lineLength - before;
            if (!whole) {
                return NEED_MORE;
            }
            headBytes += 2;
            int length = lineLength - lineStart;
            if (requestLine == null) {
                if (length == 0) {
                    if (++leadingEmpty > MAX_LEADING_EMPTY_LINES) {
                        throw new HttpParseException(400, "http_malformed", "empty lines instead of a request line");
                    }
                    resetLine();
                    continue;
                }
                requestLine = lineText();
                resetLine();
                continue;
            }
            if (length == 0) {
                resetLine();
                return COMPLETE;
            }
            if (fields.size() >= maxHeaderFields) {
                throw new HttpParseException(431, "http_header_size", "more than " + maxHeaderFields + " header fields"
                        + " (rpc.server.http.max-header-fields)");
            }
            fields.add(field(lineText()));
            resetLine();
        }
    }

    /**
     * Gathers one line into {@code line} from {@code lineStart}; true when its CRLF has arrived (the
     * CRLF is consumed and not kept). Throws with {@code status} once a line passes {@code max} bytes.
     */
    private boolean readLine(ByteBuffer data, int max, String reason, int status, String what) throws HttpParseException {
        while (data.hasRemaining()) {
            byte b = data.get();
            int length = lineLength - lineStart;
            if (b == '\n') {
                if (length == 0 || line[lineLength - 1] != '\r') {
                    throw new HttpParseException(400, "http_malformed", "a line ends with a bare LF, not CRLF");
                }
                lineLength--; // drop the CR
                return true;
            }
            if (length > 0 && line[lineLength - 1] == '\r') {
                throw new HttpParseException(400, "http_malformed", "a bare CR inside a line");
            }
            if (length >= max) {
                throw new HttpParseException(status, reason, what + " is longer than " + max + " bytes");
            }
            if (lineLength == line.length) {
                line = java.util.Arrays.copyOf(line, Math.max(64, line.length * 2));
            }
            line[lineLength++] = b;
        }
        return false;
    }

    private String lineText() {
        return new String(line, lineStart, lineLength - lineStart, StandardCharsets.ISO_8859_1);
    }

    private void resetLine() {
        lineStart = 0;
        lineLength = 0;
    }

    private static String[] field(String text) throws HttpParseException {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new HttpParseException(400, "http_malformed", text.isEmpty() || text.charAt(0) == ' ' || text.charAt(0) == '\t'
                    ? "a folded header line (obs-fold is not accepted)" : "a header line without a name and a colon");
        }
        String name = text.substring(0, colon);
        for (int i = 0; i < name.length(); i++) {
            if (!isTokenChar(name.charAt(i))) {
                throw new HttpParseException(400, "http_malformed", "a header name with '" + printable(name.charAt(i))
                        + "' in it" + (name.charAt(i) == ' ' || name.charAt(i) == '\t' ? " (whitespace before the colon)" : ""));
            }
        }
        String value = trimSpaces(text.substring(colon + 1));
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7F) {
                throw new HttpParseException(400, "http_malformed", "a control character in the " + name + " header");
            }
        }
        return new String[] {name.toLowerCase(Locale.ROOT), value};
    }

    private HttpRequest startRequest() throws HttpParseException {
        String text = requestLine;
        if (text == null) {
            throw new IllegalStateException("no request line");
        }
        int sp1 = text.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || text.indexOf(' ', sp2 + 1) >= 0) {
            throw new HttpParseException(400, "http_malformed", "the request line is not 'method target version'");
        }
        String method = text.substring(0, sp1);
        for (int i = 0; i < method.length(); i++) {
            if (!isTokenChar(method.charAt(i))) {
                throw new HttpParseException(400, "http_malformed", "the method is not a token");
            }
        }
        String target = text.substring(sp1 + 1, sp2);
        if (target.isEmpty() || target.charAt(0) != '/') {
            throw new HttpParseException(400, "http_malformed", "the request target is not an absolute path");
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                throw new HttpParseException(400, "http_malformed", "the request target has a character that must be"
                        + " percent-encoded");
            }
        }
        String version = text.substring(sp2 + 1);
        int minor;
        if (version.equals("HTTP/1.1")) {
            minor = 1;
        } else if (version.equals("HTTP/1.0")) {
            minor = 0;
        } else if (version.startsWith("HTTP/")) {
            throw new HttpParseException(505, "http_version", "only HTTP/1.0 and HTTP/1.1 are spoken here, not " + version);
        } else {
            throw new HttpParseException(400, "http_malformed", "the request line does not end with an HTTP version");
        }
        HttpRequest req = new HttpRequest(method, target, minor, List.copyOf(fields));
        request = req;
        if (minor == 1 && req.header("host") == null) {
            throw new HttpParseException(400, "http_malformed", "an HTTP/1.1 request without a Host header");
        }
        String transferEncoding = null;
        String contentLength = null;
        for (String[] f : fields) {
            if (f[0].equals("transfer-encoding")) {
                if (transferEncoding != null) {
                    throw new HttpParseException(501, "http_malformed", "more than one Transfer-Encoding header");
                }
                transferEncoding = f[1];
            } else if (f[0].equals("content-length")) {
                if (contentLength != null && !contentLength.equals(f[1])) {
                    throw new HttpParseException(400, "http_malformed", "Content-Length headers that differ");
                }
                contentLength = f[1];
            }
        }
        if (transferEncoding != null && contentLength != null) {
            throw new HttpParseException(400, "http_malformed", "both Content-Length and Transfer-Encoding:"
                    + " the request's end would be ambiguous");
        }
        if (transferEncoding != null) {
            if (minor == 0) {
                throw new HttpParseException(400, "http_malformed", "Transfer-Encoding in an HTTP/1.0 request");
            }
            if (!transferEncoding.equalsIgnoreCase("chunked")) {
                throw new HttpParseException(501, "http_malformed", "the transfer coding '" + transferEncoding
                        + "' is not supported here (only chunked)");
            }
            state = State.CHUNK_LINE;
            return req;
        }
        long length = contentLength == null ? 0 : contentLength(contentLength);
        if (length > maxBodyBytes) {
            throw new HttpParseException(413, "http_body_size", "the body is " + length + " bytes, above the server's limit of "
                    + maxBodyBytes + " bytes");
        }
        bodyLeft = length;
        state = length == 0 ? State.DONE : State.BODY;
        return req;
    }

    private static long contentLength(String value) throws HttpParseException {
        if (value.isEmpty() || value.length() > 18) {
            throw new HttpParseException(value.isEmpty() ? 400 : 413, value.isEmpty() ? "http_malformed" : "http_body_size",
                    "Content-Length " + (value.isEmpty() ? "is empty" : "is too large"));
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new HttpParseException(400, "http_malformed", "Content-Length is not a decimal number");
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static long chunkSize(String text) throws HttpParseException {
        int end = text.indexOf(';');
        String hex = trimSpaces(end < 0 ? text : text.substring(0, end));
        if (hex.isEmpty() || hex.length() > 8) {
            throw new HttpParseException(hex.isEmpty() ? 400 : 413, hex.isEmpty() ? "http_malformed" : "http_body_size",
                    "a chunk size of " + (hex.isEmpty() ? "no digits" : hex.length() + " hex digits"));
        }
        long n = 0;
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                throw new HttpParseException(400, "http_malformed", "a chunk size that is not hexadecimal");
            }
            n = n * 16 + d;
        }
        return n;
    }

    /** Reads up to {@code bodyLeft} bytes of body (or of a chunk); true once they are all here. */
    private boolean readBody(ByteBuffer data) {
        int n = (int) Math.min(bodyLeft, data.remaining());
        append(current(), data, n);
        bodyLeft -= n;
        return bodyLeft == 0;
    }

    /** Copies {@code n} bytes of {@code data} to the body, growing its buffer with what arrived. */
    private void append(HttpRequest req, ByteBuffer data, int n) {
        if (n == 0) {
            return;
        }
        int needed = req.bodyLength + n;
        if (needed > req.body.length) {
            // a length announced: never more than it; chunked: doubling (copies stay linear), never past the limit
            long announced = state == State.BODY ? req.bodyLength + bodyLeft : maxBodyBytes;
            int grown = (int) Math.min(Math.max(Math.max(FIRST_BODY_CHUNK, (long) req.body.length * 2), needed), announced);
            req.body = java.util.Arrays.copyOf(req.body, Math.max(grown, needed));
        }
        data.get(req.body, req.bodyLength, n);
        req.bodyLength = needed;
    }

    /**
     * Without leading and trailing SP and HTAB, the only whitespace HTTP allows around a value; other
     * control characters stay, to be refused (two readers must not disagree about a value).
     */
    private static String trimSpaces(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean isTokenChar(char c) {
        return c > 0x20 && c < 0x7F && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02X", (int) c);
    }
}
