package io.rpcboot.core.internal.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.reactor.EventLoop;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import io.rpcboot.core.internal.reactor.IoHandler;
import io.rpcboot.core.internal.reactor.IoRegistration;
import io.rpcboot.core.tls.TlsConfig;
import org.jspecify.annotations.Nullable;
import io.rpcboot.core.internal.reactor.Timeout;

/**
 * Opens TCP connections without blocking the caller: {@link #connect} returns a future completed on
 * the chosen loop once the handshake finishes, or failed with a {@link ConnectException} (refused,
 * unreachable) or a {@link ConnectTimeoutException} after {@link TransportConfig#connectTimeout()}.
 *
 * <p>Threads: {@link #connect} and {@link #close()} from any thread. Each connection lives on one
 * loop of the group, picked round-robin.
 */
public final class TcpClient implements AutoCloseable {

    private final TransportConfig config;
    private final EventLoopGroup loops;
    private final BufferPool pool;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final TlsStats tlsStats = new TlsStats();

    public TcpClient(TransportConfig config, EventLoopGroup loops, BufferPool pool) {
        this.config = Objects.requireNonNull(config, "config");
        this.loops = Objects.requireNonNull(loops, "loops");
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    /** Connects to {@code address}; the handler's callbacks run on the connection's loop. */
    public CompletableFuture<Connection> connect(SocketAddress address, ConnectionHandler handler) {
        return connect(address, handler, null);
    }

    /**
     * Connects to {@code address}, speaking TLS when {@code tls} is given; the future completes once
     * the handshake finished, or fails saying why it did not (an untrusted certificate, a wrong name,
     * a peer that does not speak TLS...).
     */
    public CompletableFuture<Connection> connect(SocketAddress address, ConnectionHandler handler,
                                                 @Nullable TlsConfig tls) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(handler, "handler");
        CompletableFuture<Connection> result = new CompletableFuture<>();
        if (closed.get()) {
            result.completeExceptionally(new IllegalStateException("client is closed"));
            return result;
        }
        if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
            result.completeExceptionally(new ConnectException("cannot resolve " + address));
            return result;
        }
        SocketChannel ch;
        try {
            ch = address instanceof UnixDomainSocketAddress ? SocketChannel.open(StandardProtocolFamily.UNIX)
                    : SocketChannel.open();
            TcpServer.configure(ch, config);
        } catch (IOException e) {
            result.completeExceptionally(e);
            return result;
        }
        EventLoop loop = loops.next();
        try {
            loop.execute(() -> new Connector(ch, address, loop, handler, result, tls).start());
        } catch (RuntimeException e) {
            TcpServer.closeQuietly(ch);
            result.completeExceptionally(e);
        }
        return result;
    }

    /** Handshake counts of this client's TLS connections. */
    public TlsStats tlsStats() {
        return tlsStats;
    }

    /** A snapshot of the connections this client opened and that are still open. */
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** Closes every connection this client opened; later connects fail. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            for (Connection c : connections) {
                c.close("client closed");
            }
        }
    }

    /** One pending connect, on its loop thread. */
    private final class Connector implements IoHandler {
        private final SocketChannel channel;
        private final SocketAddress address;
        private final EventLoop loop;
        private final ConnectionHandler handler;
        private final CompletableFuture<Connection> result;
        private final @Nullable TlsConfig tls;
        private Timeout timeout;

        Connector(SocketChannel channel, SocketAddress address, EventLoop loop, ConnectionHandler handler,
                  CompletableFuture<Connection> result, @Nullable TlsConfig tls) {
            this.tls = tls;
            this.channel = channel;
            this.address = address;
            this.loop = loop;
            this.handler = handler;
            this.result = result;
        }

        void start() {
            try {
                IoRegistration reg = loop.registerNow(channel, 0, this);
                if (channel.connect(address)) {
                    connected(reg);
                    return;
                }
                reg.interestOps(SelectionKey.OP_CONNECT);
                long millis = config.connectTimeout().toMillis();
                timeout = loop.schedule(millis, TimeUnit.MILLISECONDS, () -> fail(reg,
                        new ConnectTimeoutException("connect to " + address + " timed out after " + millis + " ms")));
            } catch (IOException | RuntimeException e) {
                TcpServer.closeQuietly(channel);
                result.completeExceptionally(connectFailure(e));
            }
        }

        @Override
        public void handleReady(IoRegistration reg, int readyOps) {
            if ((readyOps & SelectionKey.OP_CONNECT) == 0) {
                return;
            }
            try {
                if (!channel.finishConnect()) {
                    return;
                }
            } catch (IOException e) { // refused, unreachable: the caller's failure, not the loop's
                timeout.cancel();
                fail(reg, connectFailure(e));
                return;
            }
            timeout.cancel();
            try {
                connected(reg);
            } catch (IOException e) {
                fail(reg, e);
            }
        }

        @Override
        public void handleFailure(IoRegistration reg, Throwable failure) {
            if (timeout != null) {
                timeout.cancel();
            }
            fail(reg, connectFailure(failure));
        }

        @Override
        public void handleLoopStopped(IoRegistration reg) {
            result.completeExceptionally(new ConnectException("event loop stopped while connecting to " + address));
        }

        private void connected(IoRegistration reg) throws IOException {
            if (closed.get()) {
                fail(reg, new IllegalStateException("client closed while connecting to " + address));
                return;
            }
            Connection c = new Connection(channel, loop, pool, handler, config, connections::remove, tls, tlsStats,
                    address);
            connections.add(c);
            c.established().whenComplete((ready, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else if (!result.complete(c)) {
                    c.close("connect abandoned by the caller");
                }
            });
            c.activate(reg);
            if (closed.get()) {
                c.close("client closed"); // raced with close(), which may have missed it
            }
        }

        private void fail(IoRegistration reg, Throwable cause) {
            reg.cancelAndClose();
            result.completeExceptionally(cause);
        }

        private Throwable connectFailure(Throwable e) {
            if (e instanceof ConnectException && !(e instanceof ConnectTimeoutException)) {
                ConnectException named = new ConnectException("connect to " + address + " failed: " + e.getMessage());
                named.initCause(e);
                return named;
            }
            return e;
        }
    }
}
