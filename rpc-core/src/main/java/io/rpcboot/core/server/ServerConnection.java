package io.rpcboot.core.server;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.protocol.FrameType;
import io.rpcboot.core.internal.protocol.InboundGuard;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.internal.reactor.Timeout;
import io.rpcboot.core.internal.transport.Connection;
import io.rpcboot.core.internal.transport.ConnectionHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of one client connection. Its first byte chooses what it speaks: rpc-boot frames,
 * or another {@link ServerProtocol} of the port (HTTP), to which everything then goes. For frames it
 * decodes them under the connection's budgets,
 * answers heartbeats (at a bounded rate), hands requests to the dispatcher, and sends responses
 * from any thread. Callbacks run on the connection's loop. A malformed frame or an exceeded limit
 * closes this connection only, and is counted and logged (rate-limited).
 *
 * <p>Back-pressure: while more than the high water mark of responses waits for a client that does
 * not read, the server stops reading that client's requests; past {@code maxPendingWriteBytes} it
 * closes the connection.
 */
final class ServerConnection implements ConnectionHandler, CallSource {

    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

    private final FrameCodec codec;
    private final RequestDispatcher dispatcher;
    private final ServerConfig config;
    private final Counter bytesReceived;
    private final Counter bytesSent;
    private final InboundGuard inbound;
    private final Consumer<Frame> onFrame = this::onFrame; // one per connection, not one per read
    /** Calls of this connection being served (admitted and not yet answered). */
    private final AtomicInteger calls = new AtomicInteger();
    private volatile @Nullable Connection connection;
    /** HTTP on this port; null when the server does not speak it. */
    private final List<ServerProtocol> protocols;
    /** Set at the first byte when the client speaks HTTP; null for rpc-boot frames. */
    private volatile ServerProtocol.@Nullable Session session;
    private boolean protocolChosen; // loop thread only
    /** Told to drain before its first byte (loop thread only): the notice goes out once the protocol is known. */
    private boolean drainBeforeFirstByte;
    private volatile @Nullable Timeout ageLimit;
    /**
     * The method the last request on this connection resolved to, keyed by the identity of its
     * header strings, which the decoder reuses while they repeat. Loop thread only.
     */
    private @Nullable String lastService;
    private @Nullable String lastVersion;
    private @Nullable String lastGroup;
    private @Nullable String lastSignature;
    private @Nullable ProvidedMethod lastMethod;

    ServerConnection(FrameCodec codec, RequestDispatcher dispatcher, ServerConfig config, Counter bytesReceived,
                     Counter bytesSent, InboundGuard.Reports reports, List<ServerProtocol> protocols) {
        this.protocols = protocols;
        this.codec = codec;
        this.dispatcher = dispatcher;
        this.config = config;
        this.bytesReceived = bytesReceived;
        this.bytesSent = bytesSent;
        this.inbound = new InboundGuard(codec, reports);
    }

    @Override
    public void onConnected(Connection c) {
        connection = c;
        inbound.start(c);
        if (!config.maxConnectionAge().isZero()) {
            scheduleAgeLimit(c);
        }
    }

    @Override
    public void onData(Connection c, ByteBuffer data) {
        bytesReceived.increment(data.remaining());
        if (!protocolChosen) {
            chooseProtocol(c, data);
        }
        ServerProtocol.Session other = session;
        if (other != null) {
            other.onData(data);
            return;
        }
        inbound.decode(c, data, onFrame);
    }

    /** Port unification: the first byte is a frame's magic, or an HTTP method's first letter. */
    private void chooseProtocol(Connection c, ByteBuffer data) {
        if (!data.hasRemaining()) {
            return;
        }
        protocolChosen = true;
        byte first = data.get(data.position());
        for (ServerProtocol protocol : protocols) {
            if (protocol.recognizes(first)) {
                inbound.close(); // no frames on this connection: its frame clock stops
                log.debug("{} speaks {}", c, protocol.name());
                ServerProtocol.Session opened = protocol.open(this, c);
                session = opened;
                if (drainBeforeFirstByte) {
                    opened.draining();
                }
                return;
            }
        }
        if (drainBeforeFirstByte) {
            sendDrainingFrame();
        }
    }

    /**
     * An HTTP client waiting for its answer is not idle, however long the call runs (its deadline,
     * or the server's drain, ends it); any other connection closes at the idle timeout.
     */
    @Override
    public void onIdle(Connection c) {
        ServerProtocol.Session other = session;
        if (other != null && other.serving()) {
            return;
        }
        c.close("idle for " + c.idleTimeout().toMillis() + " ms");
    }

    @Override
    public FrameCodec responseCodec(FrameCodec server) {
        ServerProtocol.Session other = session;
        return other != null ? other.responseCodec(server) : server;
    }


    @Override
    public io.rpcboot.core.internal.metrics.Meters.CallTimers timers(ProvidedMethod method) {
        ServerProtocol.Session other = session;
        return other != null ? other.timers(method) : method.timers;
    }

    private void onFrame(Frame frame) {
        Connection c = connection;
        if (c == null || !c.isOpen()) { // closed by an earlier frame of the same read: the rest is not served
            frame.release();
            return;
        }
        FrameType type = frame.type();
        if (type == FrameType.REQUEST || type == FrameType.ONE_WAY) {
            dispatcher.dispatch(this, frame);
            return;
        }
        frame.release();
        if (type == FrameType.HEARTBEAT && !frame.isHeartbeatReply() && inbound.heartbeatAllowed(c)) {
            send(codec.start(FrameType.HEARTBEAT, frame.requestId(), 0, RpcStatus.OK).heartbeatReply().finish());
        }
    }

    /** A client that does not read its responses stops being read from, until it catches up. */
    @Override
    public void onWritabilityChanged(Connection c, boolean writable) {
        if (!writable) {
            dispatcher.limitExceeded("write_backlog"); // counted each time reading pauses
        }
        ServerProtocol.Session other = session;
        if (other != null) {
            other.writabilityChanged(writable);
            return;
        }
        inbound.readsPaused(!writable); // a frame that waits because we do not read is not the peer's delay
        c.setReadEnabled(writable);
    }

    /**
     * Admits one more call on this connection, or refuses it past
     * {@link ServerConfig#maxConcurrentCallsPerConnection()}; each admitted call is ended with
     * {@link #callEnded()}.
     */
    @Override
    public boolean admitCall() {
        if (calls.incrementAndGet() > config.maxConcurrentCallsPerConnection()) {
            calls.decrementAndGet();
            return false;
        }
        return true;
    }

    @Override
    public void callEnded() {
        calls.decrementAndGet();
    }

    /** Counts an exceeded limit that the server answers (the connection stays open). */
    @Override
    public void limitExceeded(String reason) {
        dispatcher.limitExceeded(reason);
    }

    /** Closes the connection (any thread, idempotent). */
    @Override
    public void close(String reason) {
        Connection c = connection;
        if (c != null) {
            c.close(reason);
        }
    }

    @Override
    public boolean isOpen() {
        Connection c = connection;
        return c != null && c.isOpen();
    }

    /** What the TLS handshake said about the client; null on a plaintext connection. */
    @Override
    public io.rpcboot.core.tls.@Nullable TlsPeer tlsPeer() {
        Connection c = connection;
        return c == null ? null : c.tlsPeer();
    }

    /** The client's address; null before the connection is set up. */
    @Override
    public @Nullable SocketAddress remoteAddress() {
        Connection c = connection;
        return c == null ? null : c.remoteAddress();
    }

    /** The method last resolved for exactly these header strings (the same instances), or null. */
    @Override
    public @Nullable ProvidedMethod lastMethod(String service, @Nullable String version, @Nullable String group, String signature) {
        return service == lastService && version == lastVersion && group == lastGroup && signature == lastSignature
                ? lastMethod : null;
    }

    @Override
    public void rememberMethod(String service, @Nullable String version, @Nullable String group, String signature,
                        ProvidedMethod method) {
        lastService = service;
        lastVersion = version;
        lastGroup = group;
        lastSignature = signature;
        lastMethod = method;
    }

    /** Any thread. Takes ownership of {@code frame}; false if the connection is closed. */
    @Override
    public boolean send(PooledBuffer frame) {
        Connection c = connection;
        if (c == null) {
            frame.release();
            return false;
        }
        ServerProtocol.Session other = session;
        if (other != null) { // the response to a call of another protocol, rendered in it
            other.respond(frame);
            return c.isOpen();
        }
        return sendRaw(frame);
    }

    /** Any thread. Writes bytes as they are, counted and under the pending-bytes limit; takes ownership of {@code bytes}. */
    boolean sendRaw(PooledBuffer bytes) {
        Connection c = connection;
        if (c == null) {
            bytes.release();
            return false;
        }
        PooledBuffer frame = bytes;
        bytesSent.increment(frame.readableBytes());
        boolean queued = c.write(frame);
        inbound.checkPendingWrites(c);
        return queued;
    }

    /** Tells the client this server is going away: it should send new calls elsewhere. */
    void sendDraining() {
        Connection c = connection;
        if (c == null) {
            return;
        }
        if (!c.eventLoop().inEventLoop()) {
            try {
                c.eventLoop().execute(this::sendDraining);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the loop is stopping, and the connection with it
            }
            return;
        }
        if (!protocolChosen && !protocols.isEmpty()) { // frames or HTTP: the first byte will tell, and the notice follows it
            drainBeforeFirstByte = true;
            return;
        }
        ServerProtocol.Session other = session;
        if (other != null) {
            other.draining(); // the protocol's own way (HTTP: the next answer closes the connection)
            return;
        }
        sendDrainingFrame();
    }

    private void sendDrainingFrame() {
        send(codec.start(FrameType.DRAINING, 0, 0, RpcStatus.OK).finish());
    }

    /**
     * At {@code maxConnectionAge} the client is told to move on (DRAINING: it finishes its calls,
     * then closes); a drain timeout later the connection is closed whatever it is doing.
     */
    private void scheduleAgeLimit(Connection c) {
        try {
            ageLimit = c.eventLoop().schedule(config.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS, () -> {
                if (c.isOpen()) {
                    dispatcher.limitExceeded("connection_age");
                    sendDraining();
                    c.eventLoop().schedule(Math.max(1, config.drainTimeout().toNanos()), TimeUnit.NANOSECONDS,
                            () -> c.close("reached the maximum connection age of " + config.maxConnectionAge()));
                }
            });
        } catch (RejectedExecutionException e) {
            // the loop is stopping, and the connection with it
        }
    }

    @Override
    public void onClosed(Connection c, String reason) {
        log.debug("{} closed: {}", c, reason);
        Timeout t = ageLimit;
        if (t != null) {
            t.cancel(); // a closed connection must not stay reachable from the loop's timers
        }
        inbound.close();
        ServerProtocol.Session other = session;
        if (other != null) {
            other.closed();
        }
    }

    @Override
    public String toString() {
        return "ServerConnection[" + connection + "]";
    }
}
