package io.rpcboot.core.server;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.http.HttpParseException;
import io.rpcboot.core.internal.http.HttpRequest;
import io.rpcboot.core.internal.http.HttpRequestParser;
import io.rpcboot.core.internal.http.HttpResponses;
import io.rpcboot.core.internal.protocol.FrameDecoder;
import io.rpcboot.core.internal.reactor.Timeout;
import io.rpcboot.core.internal.transport.Connection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of one connection whose first bytes were an HTTP request ({@link ServerConnection}
 * chose). Requests are served one at a time, in order: while one is being served the connection is
 * not read, so pipelined requests wait in the socket (and at most {@code rpc.server.http.max-pipelined-size}
 * bytes of them here), and responses leave in request order.
 *
 * <pre>
 *  loop:   onData ─► parser ─► HEAD (Expect: 100-continue) ─► checks ─► 100 Continue | refusal, close
 *                           ─► COMPLETE ─► stop reading ─► gateway.serve ─► request frame ─► dispatcher
 *  any:    respond(response frame) ─► gateway.render ─► answer
 *  loop:   answer ─► write ─► keep-alive? ─► next pipelined request, or read again │ close once written
 *  loop:   every frameTimeout/4 ─► a request started more than frameTimeout ago? ─► 408, close
 * </pre>
 *
 * A request that breaks the parser's rules or budgets is answered with its status and closes the
 * connection once the answer is written; it is counted in {@code rpc.limits.exceeded}.
 */
final class HttpSession implements ServerProtocol.Session {

    private static final Logger log = LoggerFactory.getLogger(HttpSession.class);

    private final ServerConnection owner;
    private final HttpGateway gateway;
    /** Bytes of pipelined requests held while one is served; past it the connection closes. */
    private final int maxPending;
    private final Connection connection;
    private final HttpRequestParser parser;
    /** Decodes the dispatcher's response frames; used by one responder at a time (one request is served at a time). */
    private final FrameDecoder responses;
    /** Decodes the request frames built from HTTP requests (loop only). */
    final FrameDecoder requests;
    private final long timeoutNanos;
    // loop thread only
    private byte[] pending = new byte[0];
    private int pendingLength;
    private boolean serving;
    private boolean writable = true;
    private boolean keepAlive;
    private boolean closing;
    private long nextId = 1;
    private volatile boolean draining;
    /** Whether the request being served has its answer: it gets exactly one (the dispatcher's, or a 504 at its deadline). */
    private final java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean(true);
    /** Counts the requests served (loop thread writes): a deadline timer answers only its own request. */
    private long served;
    /** The deadline timer of the request being served, cancelled once it is answered (loop thread). */
    private @Nullable Timeout deadlineTimer;
    /** Of the request being served: HEAD (its answers carry no body), HTTP/1.0. Set on the loop before it is dispatched. */
    private volatile boolean headRequest;
    private volatile boolean http10;
    /** Bytes read and thrown away while a refused connection lingers. */
    private long discarded;
    private volatile @Nullable Timeout checker;

    HttpSession(ServerConnection owner, HttpGateway gateway, Connection connection) {
        this.owner = owner;
        this.gateway = gateway;
        this.connection = connection;
        this.parser = new HttpRequestParser(gateway.maxHeaderBytes(), gateway.maxHeaderFields(), gateway.maxBodyBytes());
        this.maxPending = gateway.maxPipelinedBytes();
        this.responses = gateway.newResponseDecoder();
        this.requests = gateway.newRequestDecoder();
        this.timeoutNanos = gateway.requestTimeout().toNanos();
        this.writable = connection.isWritable();
        scheduleCheck();
    }

    /** Loop thread. */
    @Override
    public void onData(ByteBuffer data) {
        if (closing) { // refused, and lingering so that the client reads why: what it still sends is dropped
            discarded += data.remaining();
            data.position(data.limit());
            if (discarded > maxPending) {
                connection.close("HTTP: still sending after its refusal");
            }
            return;
        }
        if (serving) {
            stash(data);
            return;
        }
        process(data);
    }

    private void process(ByteBuffer data) {
        while (!closing) {
            int r;
            try {
                r = parser.parse(data);
            } catch (HttpParseException e) {
                refuse(e);
                return;
            }
            if (r == HttpRequestParser.NEED_MORE) {
                return;
            }
            if (r == HttpRequestParser.HEAD) {
                HttpRequest head = parser.head();
                if (head != null && head.minorVersion() >= 1) { // HTTP/1.0 clients do not wait for it (RFC 9110, 10.1.1)
                    headRequest = head.method().equals("HEAD");
                    http10 = false;
                    if (!gateway.mayContinue(this, head)) {
                        return; // refused, and answered with a close: the body is never read
                    }
                    write(HttpResponses.CONTINUE);
                }
                continue;
            }
            HttpRequest request = parser.take();
            serving = true;
            served++;
            headRequest = request.method().equals("HEAD");
            http10 = request.minorVersion() == 0;
            answered.set(false);
            keepAlive = request.keepAlive();
            updateReads();
            stash(data);
            try {
                gateway.serve(this, request);
            } catch (Throwable t) { // a bug: the request still gets an answer
                log.warn("could not serve {} on {}", request, connection, t);
                answer(500, gateway.errorJson("INTERNAL", "INTERNAL", "the server failed: " + t), true);
            }
            return;
        }
    }

    private void stash(ByteBuffer data) {
        int n = data.remaining();
        if (n == 0) {
            return;
        }
        if (pendingLength + n > maxPending) {
            refuse(new HttpParseException(431, "http_pipeline", "more than " + maxPending
                    + " bytes of pipelined requests wait while one is served (rpc.server.http.max-pipelined-size)"));
            return;
        }
        if (pendingLength + n > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pendingLength + n, pending.length * 2));
        }
        data.get(pending, pendingLength, n);
        pendingLength += n;
    }

    /** A new id for a request frame (loop thread). */
    long nextRequestId() {
        return nextId++;
    }

    /**
     * Any thread, once per served request: renders the dispatcher's response frame as HTTP. Takes
     * ownership of {@code frame}.
     */
    @Override
    public void respond(PooledBuffer frame) {
        try {
            synchronized (responses) { // with closed(): a decoder is not released while it decodes
                responses.decode(frame.buffer(), f -> gateway.render(this, f));
            }
        } catch (RuntimeException e) { // a ProtocolException among them
            log.warn("could not render the response on {}", connection, e);
            answer(500, gateway.errorJson("INTERNAL", "INTERNAL", "the server could not render the response: " + e), true);
        } finally {
            frame.release();
        }
    }

    /**
     * Any thread: the answer to the request being served. The connection then reads the next request,
     * or closes once the answer is written ({@code close}, the client's {@code Connection: close},
     * or the server draining).
     */
    void answer(int status, byte[] body, boolean close, String... headers) {
        if (!answered.compareAndSet(false, true)) {
            return; // answered at its deadline already: the connection is closing
        }
        // the server's own state too: its notice to this connection is a loop task, which may not have run yet
        boolean last = close || !keepAlive || draining || gateway.serverDraining();
        byte[] bytes = HttpResponses.response(status, !last, http10, headRequest,
                body.length == 0 ? null : HttpGateway.JSON, body, 0, body.length, headers);
        try { // always a task, also on the loop: the next pipelined request must not start inside this one's decoder
            connection.eventLoop().execute(() -> answered(bytes, last));
        } catch (RejectedExecutionException e) {
            connection.close("event loop stopped");
        }
    }

    private void answered(byte[] bytes, boolean last) {
        cancelDeadline();
        write(bytes);
        serving = false;
        if (last || draining) { // draining: told while this answer was on its way, when it had to keep the connection
            closing = true;
            connection.closeWhenFlushed("HTTP: the connection ends after this response");
            return;
        }
        if (pendingLength > 0) {
            ByteBuffer next = ByteBuffer.wrap(pending, 0, pendingLength);
            pending = new byte[0];
            pendingLength = 0;
            process(next); // the next pipelined request; what follows it is stashed again
        }
        updateReads();
    }

    /**
     * Loop thread, for the request being served: at {@code deadlineMillis} (the server's clock, as
     * {@code nowMillis}) it is answered 504 if it has no answer yet, and the connection closes, since
     * the late answer would otherwise be taken for the next request's.
     */
    void expireAt(long deadlineMillis, long nowMillis) {
        long request = served;
        try {
            deadlineTimer = connection.eventLoop().schedule(Math.max(1, deadlineMillis - nowMillis), TimeUnit.MILLISECONDS, () -> {
                if (served == request && serving) {
                    answer(504, gateway.errorJson("DEADLINE_EXCEEDED", "DEADLINE_EXCEEDED", "the call did not finish"
                            + " within rpc-timeout-ms"), true, "rpc-status", "DEADLINE_EXCEEDED");
                }
            });
        } catch (RejectedExecutionException e) {
            // the loop is stopping, and the connection with it
        }
    }

    /** Loop thread: answers a request the parser refused, and closes once the answer is written. */
    private void refuse(HttpParseException e) {
        owner.limitExceeded(e.reason());
        gateway.warn(connection, e);
        closing = true;
        serving = false;
        answered.set(true); // whatever was being served is not answered after this
        cancelDeadline();
        byte[] json = gateway.errorJson("BAD_REQUEST", "HTTP " + e.status(), String.valueOf(e.getMessage()));
        write(HttpResponses.response(e.status(), false, HttpGateway.JSON, json, 0, json.length));
        connection.closeWhenFlushed("HTTP " + e.status() + ": " + e.getMessage(), true);
    }

    /** Loop thread: refuses the request whose head asked to continue, without reading its body. */
    void refuseBeforeBody(int status, byte[] json, String... headers) {
        closing = true;
        write(HttpResponses.response(status, false, false, headRequest, HttpGateway.JSON, json, 0, json.length, headers));
        connection.closeWhenFlushed("HTTP " + status + " before the body", true);
    }

    private void cancelDeadline() {
        Timeout t = deadlineTimer;
        if (t != null) {
            deadlineTimer = null;
            t.cancel();
        }
    }

    /** Loop thread: whether a request is being served (its answer not yet written). */
    @Override
    public boolean serving() {
        return serving;
    }

    private void write(byte[] bytes) {
        PooledBuffer b = connection.bufferPool().acquire(bytes.length);
        b.buffer().put(bytes).flip();
        owner.sendRaw(b);
    }

    /**
     * Any thread. The server is draining: HTTP has no message for that, so an idle connection is
     * closed now, and one with a request in progress after that request's answer (503 for a request
     * not yet dispatched).
     */
    @Override
    public void draining() {
        draining = true;
        try {
            connection.eventLoop().execute(() -> {
                if (!serving && !closing && parser.startedNanos() == 0 && pendingLength == 0) {
                    closing = true;
                    connection.closeWhenFlushed("the server is draining; the HTTP connection was idle");
                }
            });
        } catch (RejectedExecutionException e) {
            connection.close("event loop stopped");
        }
    }

    /** Loop thread. */
    @Override
    public void writabilityChanged(boolean writable) {
        this.writable = writable;
        if (writable) {
            parser.restartClock(); // a request not read because of us is not the client's delay
        }
        updateReads();
    }

    private void updateReads() {
        connection.setReadEnabled(writable && !serving && !closing);
    }

    private void scheduleCheck() {
        try {
            checker = connection.eventLoop().schedule(Math.max(1, timeoutNanos / 4), TimeUnit.NANOSECONDS, this::check);
        } catch (RejectedExecutionException e) {
            // the loop is stopping, and the connection with it
        }
    }

    private void check() {
        if (closing || !connection.isOpen()) {
            return;
        }
        long since = parser.startedNanos();
        if (!serving && writable && since != 0 && System.nanoTime() - since > timeoutNanos) {
            refuse(new HttpParseException(408, "http_request_timeout", "the request was not complete within "
                    + gateway.requestTimeout().toMillis() + " ms"));
            return;
        }
        scheduleCheck();
    }

    @Override
    public io.rpcboot.core.internal.metrics.Meters.CallTimers timers(ProvidedMethod method) {
        return method.httpTimers;
    }

    @Override
    public io.rpcboot.core.internal.protocol.FrameCodec responseCodec(io.rpcboot.core.internal.protocol.FrameCodec server) {
        return gateway.plainCodec(); // read back at once: compressing it would only cost CPU, and inflating it a budget
    }

    ServerConnection owner() {
        return owner;
    }

    Connection connection() {
        return connection;
    }

    /** Loop thread (or once the loop is gone). */
    @Override
    public void closed() {
        closing = true;
        cancelDeadline();
        Timeout t = checker;
        if (t != null) {
            t.cancel();
        }
        requests.close();
        synchronized (responses) {
            responses.close();
        }
    }
}
