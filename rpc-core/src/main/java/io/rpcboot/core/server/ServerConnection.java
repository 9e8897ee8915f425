package io.rpcboot.core.server;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.rpcboot.core.buffer.PooledBuffer;
import io.rpcboot.core.protocol.Frame;
import io.rpcboot.core.protocol.FrameCodec;
import io.rpcboot.core.protocol.FrameDecoder;
import io.rpcboot.core.protocol.FrameType;
import io.rpcboot.core.protocol.ProtocolException;
import io.rpcboot.core.protocol.Status;
import io.rpcboot.core.transport.Connection;
import io.rpcboot.core.transport.ConnectionHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of one client connection: decodes frames, answers heartbeats, hands requests to
 * the dispatcher, and sends responses from any thread. Callbacks run on the connection's loop.
 * A malformed frame closes this connection only, and is logged and counted.
 */
final class ServerConnection implements ConnectionHandler {

    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

    private final FrameCodec codec;
    private final RequestDispatcher dispatcher;
    private final Counter bytesReceived;
    private final Counter bytesSent;
    private final Counter malformed;
    private final Consumer<Frame> onFrame = this::onFrame; // one per connection, not one per read
    private @Nullable FrameDecoder decoder;
    private volatile @Nullable Connection connection;
    /**
     * The method the last request on this connection resolved to, keyed by the identity of its
     * header strings, which the decoder reuses while they repeat. Loop thread only.
     */
    private @Nullable String lastService;
    private @Nullable String lastVersion;
    private @Nullable String lastGroup;
    private @Nullable String lastSignature;
    private @Nullable ProvidedMethod lastMethod;

    ServerConnection(FrameCodec codec, RequestDispatcher dispatcher, Counter bytesReceived, Counter bytesSent,
                     Counter malformed) {
        this.codec = codec;
        this.dispatcher = dispatcher;
        this.bytesReceived = bytesReceived;
        this.bytesSent = bytesSent;
        this.malformed = malformed;
    }

    @Override
    public void onConnected(Connection c) {
        connection = c;
        decoder = codec.newDecoder();
    }

    @Override
    public void onData(Connection c, ByteBuffer data) {
        bytesReceived.increment(data.remaining());
        FrameDecoder d = decoder;
        if (d == null) {
            return;
        }
        try {
            d.decode(data, onFrame);
        } catch (ProtocolException e) {
            malformed.increment();
            log.warn("closing {}: malformed frame: {}", c, e.getMessage());
            c.close("malformed frame: " + e.getMessage());
        }
    }

    private void onFrame(Frame frame) {
        FrameType type = frame.type();
        if (type == FrameType.REQUEST || type == FrameType.ONE_WAY) {
            dispatcher.dispatch(this, frame);
            return;
        }
        frame.release();
        if (type == FrameType.HEARTBEAT && !frame.isHeartbeatReply()) {
            send(codec.start(FrameType.HEARTBEAT, frame.requestId(), 0, Status.OK).heartbeatReply().finish());
        }
    }

    /** The method last resolved for exactly these header strings (the same instances), or null. */
    @Nullable ProvidedMethod lastMethod(String service, @Nullable String version, @Nullable String group, String signature) {
        return service == lastService && version == lastVersion && group == lastGroup && signature == lastSignature
                ? lastMethod : null;
    }

    void rememberMethod(String service, @Nullable String version, @Nullable String group, String signature,
                        ProvidedMethod method) {
        lastService = service;
        lastVersion = version;
        lastGroup = group;
        lastSignature = signature;
        lastMethod = method;
    }

    /** Any thread. Takes ownership of {@code frame}; false if the connection is closed. */
    boolean send(PooledBuffer frame) {
        Connection c = connection;
        if (c == null) {
            frame.release();
            return false;
        }
        bytesSent.increment(frame.readableBytes());
        return c.write(frame);
    }

    /** Tells the client this server is going away: it should send new calls elsewhere. */
    void sendDraining() {
        send(codec.start(FrameType.DRAINING, 0, 0, Status.OK).finish());
    }

    @Override
    public void onClosed(Connection c, String reason) {
        log.debug("{} closed: {}", c, reason);
        FrameDecoder d = decoder;
        decoder = null;
        if (d != null) {
            d.close();
        }
    }

    @Override
    public String toString() {
        return "ServerConnection[" + connection + "]";
    }
}
