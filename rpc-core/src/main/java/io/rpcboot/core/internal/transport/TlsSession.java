package io.rpcboot.core.internal.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.reactor.Timeout;
import io.rpcboot.core.tls.TlsConfig;
import io.rpcboot.core.tls.TlsPeer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for one {@link Connection}, on the JDK's {@link SSLEngine}. Everything runs on the connection's
 * loop, except the engine's delegated tasks (certificate checks, key exchange), which run on a small
 * shared pool while the connection neither reads nor writes.
 *
 * <pre>
 *  socket ─read─► ciphertext ─► [netIn: a partial record] ─unwrap─► plaintext ─► handler.onData
 *  any thread ─write─► OutboundBuffer (plaintext) ─flush: wrap─► [netOut] ─write─► socket
 * </pre>
 *
 * <p>Budgets: the handshake must end within {@link TlsConfig#handshakeTimeout()} and within
 * {@link TlsConfig#maxHandshakeBytes()} received; a record longer than the engine's packet size is
 * refused; {@code netIn} holds at most one read plus one record, {@code netOut} one buffer. Both are
 * pooled and given back as soon as they are empty.
 */
final class TlsSession implements GatheringByteChannel {

    private static final Logger log = LoggerFactory.getLogger(TlsSession.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Encrypted bytes gathered before one socket write: three full records. */
    private static final int NET_OUT_RECORDS = 3;
    /** Handshakes whose delegated tasks may wait for a thread before new ones are refused. */
    private static final int TASK_QUEUE = 4096;
    private static final ThreadPoolExecutor TASKS = newTaskPool();

    private final Connection connection;
    private final SSLEngine engine;
    private final TlsConfig config;
    private final BufferPool pool;
    private final SocketChannel channel;
    private final TlsStats stats;
    private final int packetSize;
    private final int appSize;

    // loop thread only
    private @Nullable PooledBuffer netIn; // write mode: bytes [0, position) wait for unwrap
    private @Nullable PooledBuffer netOut; // write mode: bytes [0, position) wait for the socket
    private boolean handshaking = true;
    private boolean taskRunning;
    private boolean finished;
    private boolean peerClosed;
    private long handshakeBytes;
    private @Nullable Timeout handshakeTimer;
    private volatile @Nullable TlsPeer peer;

    private TlsSession(Connection connection, SSLEngine engine, TlsConfig config, BufferPool pool, SocketChannel channel,
                       TlsStats stats) {
        this.connection = connection;
        this.engine = engine;
        this.config = config;
        this.pool = pool;
        this.channel = channel;
        this.stats = stats;
        SSLSession session = engine.getSession();
        this.packetSize = session.getPacketBufferSize();
        this.appSize = session.getApplicationBufferSize();
    }

    /** A server-side session: asks the config for its current context. */
    static TlsSession server(Connection c, TlsConfig config, BufferPool pool, SocketChannel channel, TlsStats stats) {
        return new TlsSession(c, engine(config, false, null), config, pool, channel, stats);
    }

    /** A client-side session for {@code target}: checks the name in the server's certificate unless told not to. */
    static TlsSession client(Connection c, TlsConfig config, BufferPool pool, SocketChannel channel, TlsStats stats,
                             @Nullable InetSocketAddress target) {
        return new TlsSession(c, engine(config, true, target), config, pool, channel, stats);
    }

    /**
     * A configured engine; fails as the configuration would (an unknown protocol or cipher suite),
     * so a server or client can check its settings at startup by making one.
     */
    static SSLEngine engine(TlsConfig config, boolean client, @Nullable InetSocketAddress target) {
        SSLEngine engine;
        String name = config.serverName() != null ? config.serverName()
                : target != null ? target.getHostString() : null;
        if (client && name != null) {
            engine = config.context().createSSLEngine(name, target != null ? target.getPort() : -1);
        } else {
            engine = config.context().createSSLEngine();
        }
        engine.setUseClientMode(client);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(config.protocols().toArray(String[]::new));
        if (!config.cipherSuites().isEmpty()) {
            params.setCipherSuites(config.cipherSuites().toArray(String[]::new));
        }
        if (client) {
            if (config.verifyHostname()) {
                params.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (name != null && !isIpLiteral(name)) {
                params.setServerNames(List.of(new SNIHostName(name)));
            }
        } else {
            switch (config.clientAuth()) {
                case NEED -> params.setNeedClientAuth(true);
                case WANT -> params.setWantClientAuth(true);
                case NONE -> params.setNeedClientAuth(false);
            }
        }
        engine.setSSLParameters(params);
        return engine;
    }

    private static boolean isIpLiteral(String name) {
        return name.indexOf(':') >= 0 || name.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch));
    }

    /** Loop thread, once: starts the handshake and its timer. */
    void start() {
        long millis = config.handshakeTimeout().toMillis();
        handshakeTimer = connection.eventLoop().schedule(millis, TimeUnit.MILLISECONDS, () -> {
            if (handshaking && connection.isOpen()) {
                stats.handshakeTimeouts.increment();
                connection.tlsFailed("the TLS handshake did not finish within " + millis + " ms", null);
            }
        });
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            failed(e);
            return;
        }
        process(EMPTY);
    }

    boolean isHandshaking() {
        return handshaking;
    }

    /** Whether reads must wait (a delegated task runs). */
    boolean readsPaused() {
        return taskRunning;
    }

    /** Whether the connection must not wrap now (a delegated task runs, or the handshake goes on). */
    boolean writesBlocked() {
        return taskRunning || handshaking;
    }

    @Nullable TlsPeer peer() {
        return peer;
    }

    /** Loop thread: ciphertext read from the socket. */
    void received(ByteBuffer data) {
        if (handshaking) {
            handshakeBytes += data.remaining();
            if (handshakeBytes > config.maxHandshakeBytes()) {
                stats.handshakeTooLarge.increment();
                connection.tlsFailed("the peer sent more than " + config.maxHandshakeBytes()
                        + " bytes during the TLS handshake", null);
                return;
            }
        }
        if (netIn == null && !taskRunning) {
            process(data); // the common case: whole records, no copy
            if (!data.hasRemaining() || !connection.isOpen()) {
                return;
            }
        }
        if (append(data) && !taskRunning) {
            drain();
        }
    }

    /** Keeps what could not be unwrapped yet; false (and the connection closed) past the budget. */
    private boolean append(ByteBuffer data) {
        int stored = netIn == null ? 0 : netIn.buffer().position();
        int need = stored + data.remaining();
        // one read (while a task pauses reading) plus one partial record at most
        if (need > packetSize + BufferPool.DEFAULT_MAX_BUFFER_SIZE + packetSize) {
            connection.tlsFailed("more than " + need + " bytes of TLS input are waiting", null);
            return false;
        }
        if (netIn == null || netIn.buffer().capacity() < need) {
            PooledBuffer bigger = pool.acquire(Math.max(packetSize, need));
            ByteBuffer b = bigger.buffer();
            b.clear();
            if (netIn != null) {
                ByteBuffer old = netIn.buffer();
                old.flip();
                b.put(old);
                netIn.release();
            }
            netIn = bigger;
        }
        netIn.buffer().put(data);
        return true;
    }

    /** Unwraps what {@code netIn} holds. */
    private void drain() {
        PooledBuffer held = netIn;
        if (held == null) {
            return;
        }
        ByteBuffer in = held.buffer();
        in.flip();
        process(in);
        if (netIn != held) {
            return; // closed (and released) meanwhile
        }
        in.compact();
        if (in.position() == 0) {
            held.release();
            netIn = null;
        } else if (!taskRunning && in.position() >= packetSize) {
            connection.tlsFailed("the peer sent a TLS record longer than " + packetSize + " bytes", null);
        }
    }

    /**
     * The engine's loop: runs what the handshake needs (wrap, task) and unwraps {@code src} until it
     * holds no whole record, a task starts, or the connection closes.
     */
    private void process(ByteBuffer src) {
        PooledBuffer app = null;
        try {
            while (connection.isOpen() && !taskRunning) {
                HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    runTasks();
                    return;
                }
                if (hs == HandshakeStatus.NEED_WRAP) {
                    if (!wrapHandshake()) {
                        return;
                    }
                    continue;
                }
                if (!src.hasRemaining()) {
                    return;
                }
                if (app == null) {
                    app = pool.acquire(appSize);
                }
                ByteBuffer out = app.buffer();
                out.clear();
                SSLEngineResult r;
                try {
                    r = engine.unwrap(src, out);
                } catch (SSLException e) {
                    failed(e);
                    return;
                }
                if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                    finished(); // before any data: the handler hears onConnected first
                }
                out.flip();
                if (out.hasRemaining() && !connection.tlsDeliver(out)) {
                    return;
                }
                switch (r.getStatus()) {
                    case CLOSED -> {
                        peerClosed = true;
                        connection.close(handshaking ? "the peer ended the TLS session during the handshake"
                                : "closed by peer (TLS close_notify)");
                        return;
                    }
                    case BUFFER_UNDERFLOW -> {
                        return; // a partial record: the rest comes with the next read
                    }
                    case BUFFER_OVERFLOW -> {
                        connection.tlsFailed("a TLS record holds more than " + out.capacity() + " bytes", null);
                        return;
                    }
                    case OK -> {
                        if (r.bytesConsumed() == 0 && r.bytesProduced() == 0
                                && engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
                            return; // nothing more to do with what we hold
                        }
                    }
                }
            }
        } finally {
            if (app != null) {
                app.release();
            }
        }
    }

    /** Wraps handshake (or alert) bytes and sends them; false if the session is done or the socket is full. */
    private boolean wrapHandshake() {
        ByteBuffer net = netOutWithRoom();
        if (net == null) {
            return false; // the socket is full: OP_WRITE resumes the handshake
        }
        SSLEngineResult r;
        try {
            r = engine.wrap(EMPTY, net);
        } catch (SSLException e) {
            failed(e);
            return false;
        }
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            finished();
        }
        try {
            flushNet();
        } catch (IOException e) {
            connection.tlsFailed("write failed during the TLS handshake: " + e.getMessage(), e);
            return false;
        }
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            if (!peerClosed && !finished) {
                connection.close("the TLS session was closed during the handshake");
            }
            return false;
        }
        return r.bytesProduced() > 0 || engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP;
    }

    /** {@code netOut} with room for one record, sending first what it holds; null if the socket took too little. */
    private @Nullable ByteBuffer netOutWithRoom() {
        if (netOut == null) {
            netOut = pool.acquire(packetSize * NET_OUT_RECORDS);
            netOut.buffer().clear();
        }
        ByteBuffer net = netOut.buffer();
        if (net.remaining() < packetSize) {
            try {
                flushNet();
            } catch (IOException e) {
                connection.tlsFailed("write failed: " + e.getMessage(), e);
                return null;
            }
            if (netOut == null) {
                return netOutWithRoom();
            }
            net = netOut.buffer();
            if (net.remaining() < packetSize) {
                connection.tlsAwaitWritable();
                return null;
            }
        }
        return net;
    }

    /**
     * Writes the encrypted bytes waiting; true if none are left. Loop thread.
     *
     * @throws IOException if the socket fails
     */
    boolean flushNet() throws IOException {
        PooledBuffer held = netOut;
        if (held == null) {
            return true;
        }
        ByteBuffer net = held.buffer();
        net.flip();
        try {
            channel.write(net);
        } finally {
            net.compact();
        }
        if (net.position() == 0) {
            held.release();
            netOut = null;
            return true;
        }
        connection.tlsAwaitWritable();
        return false;
    }

    boolean hasPendingOutput() {
        return netOut != null;
    }

    private void runTasks() {
        List<Runnable> tasks = new ArrayList<>(2);
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            tasks.add(task);
        }
        taskRunning = true;
        connection.tlsReadsPaused(true);
        try {
            TASKS.execute(() -> {
                try {
                    for (Runnable t : tasks) {
                        t.run();
                    }
                } catch (RuntimeException e) {
                    log.debug("a TLS task of {} failed", connection, e); // the engine reports it on the next step
                } finally {
                    connection.tlsOnLoop(this::tasksDone);
                }
            });
        } catch (RejectedExecutionException e) {
            taskRunning = false;
            stats.handshakeRefused.increment();
            connection.tlsFailed("too many TLS handshakes are waiting for a thread (" + TASK_QUEUE + ")", null);
        }
    }

    /** Loop thread: the delegated tasks ended. */
    private void tasksDone() {
        taskRunning = false;
        if (!connection.isOpen()) {
            return;
        }
        connection.tlsReadsPaused(false);
        resume();
        connection.tlsResumeWrites();
    }

    /** Loop thread: goes on with what is held (after a task, or once the socket takes bytes again). */
    void resume() {
        if (taskRunning || !connection.isOpen()) {
            return;
        }
        if (netIn != null) {
            drain();
        } else {
            process(EMPTY);
        }
    }

    private void finished() {
        if (!handshaking) {
            return; // a post-handshake message (TLS 1.3 tickets, key updates) ends with FINISHED too
        }
        handshaking = false;
        finished = true;
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
        }
        SSLSession session = engine.getSession();
        java.security.cert.Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            chain = null;
        }
        peer = TlsPeer.of(session.getProtocol(), session.getCipherSuite(), chain);
        stats.handshakes.increment();
        connection.tlsEstablished();
    }

    /** The engine refused: the alert it prepared goes out if the socket takes it, then the connection closes. */
    private void failed(SSLException e) {
        try {
            for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                ByteBuffer net = netOutWithRoom();
                if (net == null || engine.wrap(EMPTY, net).bytesProduced() == 0) {
                    break;
                }
            }
            flushNet();
        } catch (IOException | RuntimeException ignored) {
            // best effort: the peer may be gone already
        }
        if (handshaking) {
            stats.handshakeFailures.increment();
        }
        connection.tlsFailed(describe(e), e);
    }

    private String describe(SSLException e) {
        String message = String.valueOf(e.getMessage());
        String what = handshaking ? "the TLS handshake failed: " : "TLS failed: ";
        return what + message + hint(message);
    }

    private String hint(String message) {
        boolean client = engine.getUseClientMode();
        String m = message.toLowerCase(java.util.Locale.ROOT);
        if (m.contains("pkix") || m.contains("certification path")) {
            return client ? " (the server's certificate is not signed by a CA this client trusts: check the client's trust store)"
                    : " (the client's certificate is not signed by a CA this server trusts: check the server's trust store)";
        }
        if (m.contains("no subject alternative") || m.contains("no name matching")) {
            return " (the server's certificate does not name the host this client expects; set the expected server name"
                    + " if the certificate names another)";
        }
        if (m.contains("unrecognized ssl message") || m.contains("unsupported or unrecognized")) {
            return client ? " (the server does not speak TLS: is it a plaintext server?)"
                    : " (the client does not speak TLS: is it a plaintext client?)";
        }
        if (m.contains("certificate_required") || m.contains("bad_certificate") || m.contains("empty client certificate")) {
            return client ? " (the server requires a client certificate it trusts: give the client a key store)"
                    : " (this server requires a client certificate: the client sent none it trusts)";
        }
        if (m.contains("protocol_version") || m.contains("no appropriate protocol")) {
            return " (the two sides share no TLS version)";
        }
        if (m.contains("handshake_failure") || m.contains("no negotiable cipher")) {
            return " (the two sides share no cipher suite, or one refused the other's certificate)";
        }
        return "";
    }

    /** Why the connection ended while reading, in TLS terms. */
    String closedByPeerReason() {
        if (handshaking) {
            return "the peer closed the connection during the TLS handshake"
                    + (engine.getUseClientMode() ? " (does the server speak TLS? a plaintext server closes a TLS client's connection)"
                    : " (the client gave up, or does not trust this server's certificate)");
        }
        return "closed by peer";
    }

    /** Loop thread, once, as the connection closes: sends close_notify if the socket takes it, and gives back the buffers. */
    void dispose() {
        if (finished && !peerClosed && channel.isOpen()) {
            try {
                engine.closeOutbound();
                ByteBuffer net = netOutWithRoom();
                if (net != null) {
                    engine.wrap(EMPTY, net);
                    flushNet();
                }
            } catch (IOException | RuntimeException ignored) {
                // best effort: close_notify is a courtesy, the TCP close follows anyway
            }
        }
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
        }
        if (netIn != null) {
            netIn.release();
            netIn = null;
        }
        if (netOut != null) {
            netOut.release();
            netOut = null;
        }
    }

    // GatheringByteChannel: the outbound buffer writes plaintext here; it goes out encrypted.

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (!flushNet() || writesBlocked()) {
            return 0;
        }
        long consumed = 0;
        ByteBuffer net;
        while ((net = netOutWithRoom()) != null) {
            SSLEngineResult r = engine.wrap(srcs, offset, length, net);
            consumed += r.bytesConsumed();
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new SSLException("the TLS session is closed");
            }
            if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runTasks();
                break;
            }
            if (r.bytesConsumed() == 0 || !anyRemaining(srcs, offset, length)) {
                break;
            }
        }
        flushNet();
        return consumed;
    }

    private static boolean anyRemaining(ByteBuffer[] srcs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (srcs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    /** Does nothing: the connection owns the socket and ends the session with {@link #dispose()}. */
    @Override
    public void close() {
    }

    private static ThreadPoolExecutor newTaskPool() {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(TASK_QUEUE), r -> {
                    Thread t = new Thread(r, "rpc-tls-task-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
