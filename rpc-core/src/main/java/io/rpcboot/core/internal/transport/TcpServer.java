package io.rpcboot.core.internal.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.reactor.EventLoop;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import io.rpcboot.core.internal.reactor.IoHandler;
import io.rpcboot.core.internal.reactor.IoRegistration;
import io.rpcboot.core.tls.TlsConfig;
import io.rpcboot.core.internal.inprocess.InProcess;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening TCP socket. The boss loop accepts; each accepted connection goes to the next worker
 * loop (round-robin), which owns it from then on. With {@code maxConnections > 0}, a connection
 * accepted while that many are open is closed at once and counted in {@link #rejectedConnections()}.
 *
 * <p>Threads: {@link #bind} and {@link #close()} from any thread (not from the boss loop for
 * {@code bind}, which waits for the registration). The handler supplier runs on the boss loop, once
 * per accepted connection; the handlers it returns run on their connection's worker loop.
 */
public final class TcpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TcpServer.class);
    private static final int MAX_ACCEPTS_PER_EVENT = 64;
    private static final long ACCEPT_RETRY_MILLIS = 100;

    private final TransportConfig config;
    private final EventLoop boss;
    private final EventLoopGroup workers;
    private final BufferPool pool;
    private final Supplier<? extends ConnectionHandler> handlers;
    private final @Nullable TlsConfig tls;
    private final TlsStats tlsStats = new TlsStats();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder rejectedPerAddress = new LongAdder();
    private final LongAdder rejectedRate = new LongAdder();
    /** Open connections per peer address, only when that limit is on. */
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    /** Accept-rate bucket, a virtual clock (boss loop only): empty while it is ahead of now. */
    private long acceptCredit = System.nanoTime() - TimeUnit.SECONDS.toNanos(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile @Nullable ServerSocketChannel serverChannel;
    private volatile @Nullable SocketAddress localAddress;
    private volatile int boundPort;
    /** The socket file of an in-process server, deleted when it closes; null over TCP. */
    private volatile java.nio.file.@Nullable Path socketFile;

    public TcpServer(TransportConfig config, EventLoop boss, EventLoopGroup workers, BufferPool pool,
                     Supplier<? extends ConnectionHandler> handlers) {
        this(config, boss, workers, pool, handlers, null);
    }

    /** A server that speaks only TLS when {@code tls} is given. */
    public TcpServer(TransportConfig config, EventLoop boss, EventLoopGroup workers, BufferPool pool,
                     Supplier<? extends ConnectionHandler> handlers, @Nullable TlsConfig tls) {
        this.tls = tls;
        this.config = Objects.requireNonNull(config, "config");
        this.boss = Objects.requireNonNull(boss, "boss");
        this.workers = Objects.requireNonNull(workers, "workers");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.handlers = Objects.requireNonNull(handlers, "handlers");
    }

    /**
     * Binds {@code host:port} (port 0 picks a free port) and starts accepting.
     *
     * @return the bound address, with the real port
     * @throws UncheckedIOException naming the address if it cannot be bound (e.g. the port is in use)
     */
    public InetSocketAddress bind(String host, int port) {
        if (serverChannel != null || closed.get()) {
            throw new IllegalStateException("server already bound or closed");
        }
        InetSocketAddress requested = new InetSocketAddress(host, port);
        ServerSocketChannel ch = null;
        try {
            ch = ServerSocketChannel.open();
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (config.receiveBufferSize() > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, config.receiveBufferSize());
            }
            ch.bind(requested, config.acceptBacklog());
            ch.configureBlocking(false);
            boss.register(ch, SelectionKey.OP_ACCEPT, new Acceptor()).join();
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
        serverChannel = ch;
        InetSocketAddress bound = new InetSocketAddress(requested.getAddress(), ch.socket().getLocalPort());
        localAddress = bound;
        boundPort = bound.getPort();
        log.info("listening on {}", bound);
        return bound;
    }

    /**
     * Listens on the in-process socket with this id ({@link InProcess#address}) instead of a TCP port:
     * no port is opened, and only this JVM knows the address.
     *
     * @throws UncheckedIOException if it cannot be bound
     */
    public UnixDomainSocketAddress bindInProcess(int id) {
        if (serverChannel != null || closed.get()) {
            throw new IllegalStateException("server already bound or closed");
        }
        UnixDomainSocketAddress address = InProcess.address(id);
        ServerSocketChannel ch = null;
        try {
            java.nio.file.Files.deleteIfExists(address.getPath()); // a leftover of an earlier server with this id
            ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(address, config.acceptBacklog());
            ch.configureBlocking(false);
            boss.register(ch, SelectionKey.OP_ACCEPT, new Acceptor()).join();
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("cannot listen in process at " + address + ": " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
        serverChannel = ch;
        socketFile = address.getPath();
        address.getPath().toFile().deleteOnExit();
        localAddress = address;
        boundPort = id;
        log.info("listening in process as {}:{}", InProcess.HOST, id);
        return address;
    }

    /** The bound address (with the real port, or the in-process socket), or null before binding. */
    public @Nullable SocketAddress localAddress() {
        return localAddress;
    }

    /** The bound port (the in-process id when bound in process); throws if not bound. */
    public int port() {
        if (localAddress == null) {
            throw new IllegalStateException("server not bound");
        }
        return boundPort;
    }

    /** Handshake counts (all zero without TLS). */
    public TlsStats tlsStats() {
        return tlsStats;
    }

    /** Connections open now. */
    public int openConnections() {
        return open.get();
    }

    /** A snapshot of the open connections. */
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** Connections accepted and kept since bind. */
    public long acceptedConnections() {
        return accepted.sum();
    }

    /** Connections closed at once because {@code maxConnections} were open. */
    public long rejectedConnections() {
        return rejected.sum();
    }

    /** Connections closed at once because their address had {@code maxConnectionsPerAddress} open. */
    public long rejectedPerAddress() {
        return rejectedPerAddress.sum();
    }

    /** Connections closed at once because they came faster than {@code maxAcceptsPerSecond}. */
    public long rejectedByRate() {
        return rejectedRate.sum();
    }

    /**
     * Stops accepting and frees the port; open connections stay open. Idempotent, any thread; from a
     * thread other than the boss loop it returns once the port is free (or after 5 s).
     */
    public void stopAccepting() {
        ServerSocketChannel ch = serverChannel;
        if (ch == null || !ch.isOpen()) {
            return;
        }
        // A registered channel is really closed only when its selector deregisters it, so close it on
        // the boss loop and wait for the loop's next selection, which does that.
        CompletableFuture<Void> freed = new CompletableFuture<>();
        try {
            boss.execute(() -> {
                closeQuietly(ch);
                boss.schedule(0, TimeUnit.MILLISECONDS, () -> freed.complete(null));
            });
        } catch (RejectedExecutionException e) {
            closeQuietly(ch); // the boss loop is gone: it closed the channel already
            return;
        }
        if (!boss.inEventLoop()) {
            try {
                freed.get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
                log.warn("listening socket {} may still be bound", localAddress, e);
            }
        }
    }

    /** Stops accepting and closes every open connection with reason "server closed". Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopAccepting();
        for (Connection c : connections) {
            c.close("server closed");
        }
        java.nio.file.Path file = socketFile;
        if (file != null) {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (IOException e) {
                log.debug("could not delete {}: {}", file, e.toString());
            }
        }
    }

    private void accept(ServerSocketChannel server) throws IOException {
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
            SocketChannel ch = server.accept();
            if (ch == null) {
                return;
            }
            int limit = config.maxConnections();
            if (closed.get() || (limit > 0 && open.get() >= limit)) {
                rejected.increment();
                log.debug("rejected connection from {}: {} connections open, limit {}",
                        remoteOf(ch), open.get(), limit);
                closeQuietly(ch);
                continue;
            }
            if (!acceptRateAllows()) {
                rejectedRate.increment();
                log.debug("rejected connection from {}: more than {} accepts per second", remoteOf(ch),
                        config.maxAcceptsPerSecond());
                closeQuietly(ch);
                continue;
            }
            InetAddress peer = peerAddressIfLimited(ch);
            if (peer != null && !claimAddressSlot(peer)) {
                rejectedPerAddress.increment();
                log.debug("rejected connection from {}: {} connections from that address are open", remoteOf(ch),
                        config.maxConnectionsPerAddress());
                closeQuietly(ch);
                continue;
            }
            Connection c;
            EventLoop worker = workers.next();
            try {
                configure(ch, config);
                c = new Connection(ch, worker, pool, handlers.get(), config, this::released, tls, tlsStats, null);
            } catch (IOException | RuntimeException e) {
                log.warn("could not set up connection from {}", remoteOf(ch), e);
                closeQuietly(ch);
                if (peer != null) {
                    releaseAddressSlot(peer);
                }
                continue;
            }
            open.incrementAndGet();
            connections.add(c);
            accepted.increment();
            if (closed.get()) {
                c.close("server closed"); // raced with close(), which may have missed it
                continue;
            }
            try {
                worker.execute(c::activate);
            } catch (RejectedExecutionException e) {
                c.close("worker loop stopped");
            }
        }
    }

    private void released(Connection c) {
        if (connections.remove(c)) {
            open.decrementAndGet();
            if (config.maxConnectionsPerAddress() > 0 && c.remoteAddress() instanceof InetSocketAddress a) {
                releaseAddressSlot(a.getAddress());
            }
        }
    }

    /** Boss loop: a token bucket of one second's worth of accepts. */
    private boolean acceptRateAllows() {
        int rate = config.maxAcceptsPerSecond();
        if (rate == 0) {
            return true;
        }
        long now = System.nanoTime();
        long second = TimeUnit.SECONDS.toNanos(1);
        long credit = Math.max(acceptCredit, now - second) + second / rate;
        if (credit - now > 0) {
            return false;
        }
        acceptCredit = credit;
        return true;
    }

    private @Nullable InetAddress peerAddressIfLimited(SocketChannel ch) {
        if (config.maxConnectionsPerAddress() == 0) {
            return null;
        }
        try {
            return ch.getRemoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Check and count in one atomic step of the map, so a release on a worker loop cannot race it. */
    private boolean claimAddressSlot(InetAddress peer) {
        boolean[] claimed = new boolean[1];
        perAddress.compute(peer, (k, n) -> {
            AtomicInteger count = n == null ? new AtomicInteger() : n;
            if (count.get() < config.maxConnectionsPerAddress()) {
                count.incrementAndGet();
                claimed[0] = true;
            }
            return count.get() == 0 ? null : count;
        });
        return claimed[0];
    }

    private void releaseAddressSlot(InetAddress peer) {
        perAddress.computeIfPresent(peer, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    static void configure(SocketChannel ch, TransportConfig config) throws IOException {
        ch.configureBlocking(false);
        if (!ch.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
            return; // in process: a Unix-domain socket has none of TCP's options
        }
        ch.setOption(StandardSocketOptions.TCP_NODELAY, config.tcpNoDelay());
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        if (config.receiveBufferSize() > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, config.receiveBufferSize());
        }
        if (config.sendBufferSize() > 0) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, config.sendBufferSize());
        }
    }

    private static Object remoteOf(SocketChannel ch) {
        try {
            return ch.getRemoteAddress();
        } catch (IOException e) {
            return "?";
        }
    }

    static void closeQuietly(@Nullable Channel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                log.debug("closing {} failed", ch, e);
            }
        }
    }

    @Override
    public String toString() {
        return "TcpServer[" + localAddress + ", open=" + open.get() + "]";
    }

    /** Accept readiness on the boss loop. */
    private final class Acceptor implements IoHandler {
        @Override
        public void handleReady(IoRegistration registration, int readyOps) throws IOException {
            accept((ServerSocketChannel) registration.channel());
        }

        @Override
        public void handleFailure(IoRegistration registration, Throwable failure) {
            // an accept error (e.g. too many open files) must not close the listening socket, nor
            // spin the loop: pause accepting briefly, then try again
            log.warn("accept on {} failed; retrying in {} ms", localAddress, ACCEPT_RETRY_MILLIS, failure);
            registration.removeInterest(SelectionKey.OP_ACCEPT);
            boss.schedule(ACCEPT_RETRY_MILLIS, TimeUnit.MILLISECONDS, () -> {
                if (registration.isValid()) {
                    registration.addInterest(SelectionKey.OP_ACCEPT);
                }
            });
        }
    }
}
