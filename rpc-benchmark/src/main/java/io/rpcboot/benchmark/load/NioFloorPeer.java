package io.rpcboot.benchmark.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The yardstick: the leanest request/response over java.nio that is still honest. Frames are
 * {@code [int length][long id][payload]}; one selector thread per side; the client multiplexes every
 * caller over one connection with request ids, and both sides coalesce all writes of a loop
 * iteration into one buffer and one write. No serialization, no pooling, no metrics, no safety.
 */
final class NioFloorPeer implements Peer {

    @Override
    public String name() {
        return "nio-floor";
    }

    @Override
    public Server startServer(int port) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", port));
        server.configureBlocking(false);
        Selector selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread loop = new Thread(() -> serve(selector, running), "floor-server");
        loop.start();
        return new Server() {
            public int port() {
                return server.socket().getLocalPort();
            }

            public void close() throws Exception {
                running.set(false);
                selector.wakeup();
                loop.join(5000);
                server.close();
            }
        };
    }

    /** Per connection: what was read and not yet parsed, and what is to be written. */
    private static final class Buffers {
        ByteBuffer in = ByteBuffer.allocateDirect(256 * 1024);
        ByteBuffer out = ByteBuffer.allocateDirect(256 * 1024);
    }

    private static void serve(Selector selector, AtomicBoolean running) {
        try (selector) {
            while (running.get()) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isAcceptable()) {
                        SocketChannel ch = ((ServerSocketChannel) key.channel()).accept();
                        if (ch != null) {
                            ch.configureBlocking(false);
                            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                            ch.register(selector, SelectionKey.OP_READ, new Buffers());
                        }
                        continue;
                    }
                    SocketChannel ch = (SocketChannel) key.channel();
                    Buffers b = (Buffers) key.attachment();
                    if (key.isReadable() && ch.read(b.in) < 0) {
                        key.cancel();
                        ch.close();
                        continue;
                    }
                    b.in.flip();
                    while (b.in.remaining() >= 4 && b.in.remaining() >= 4 + b.in.getInt(b.in.position())) {
                        int frame = 4 + b.in.getInt(b.in.position());
                        b.out = ensure(b.out, frame);
                        b.out.put(b.in.duplicate().limit(b.in.position() + frame)); // echo: the same id and payload
                        b.in.position(b.in.position() + frame);
                    }
                    b.in.compact();
                    if (!b.in.hasRemaining()) {
                        b.in = ensure(b.in, b.in.capacity());
                    }
                    flush(ch, b.out, key);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void flush(SocketChannel ch, ByteBuffer out, SelectionKey key) throws IOException {
        out.flip();
        ch.write(out);
        out.compact();
        key.interestOps(out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    private static ByteBuffer ensure(ByteBuffer b, int more) {
        if (b.remaining() >= more) {
            return b;
        }
        ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(b.capacity() * 2, b.position() + more));
        b.flip();
        return bigger.put(b);
    }

    @Override
    public Caller connect(int port) throws IOException {
        return new Client(port);
    }

    /** One connection, one loop thread; callers enqueue and wait on a future completed by the loop. */
    private static final class Client implements Caller {
        private final SocketChannel ch;
        private final Selector selector = Selector.open();
        private final Queue<Object[]> queue = new ConcurrentLinkedQueue<>();
        private final Map<Long, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
        private final AtomicBoolean wakeupPending = new AtomicBoolean();
        private final AtomicLong ids = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread loop;
        private ByteBuffer in = ByteBuffer.allocateDirect(256 * 1024);
        private ByteBuffer out = ByteBuffer.allocateDirect(256 * 1024);

        Client(int port) throws IOException {
            ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            loop = new Thread(this::run, "floor-client");
            loop.setDaemon(true);
            loop.start();
        }

        @Override
        public byte[] call(byte[] payload) throws Exception {
            long id = ids.incrementAndGet();
            CompletableFuture<byte[]> answer = new CompletableFuture<>();
            pending.put(id, answer);
            queue.offer(new Object[] {id, payload});
            if (wakeupPending.compareAndSet(false, true)) {
                selector.wakeup();
            }
            return answer.get();
        }

        private void run() {
            try {
                SelectionKey key = ch.keyFor(selector);
                while (running.get()) {
                    selector.select();
                    wakeupPending.set(false);
                    selector.selectedKeys().clear();
                    Object[] request;
                    while ((request = queue.poll()) != null) {
                        byte[] payload = (byte[]) request[1];
                        out = ensure(out, 12 + payload.length);
                        out.putInt(8 + payload.length).putLong((Long) request[0]).put(payload);
                    }
                    if (key.isReadable() || ch.isOpen()) {
                        read();
                    }
                    flush(ch, out, key);
                }
            } catch (IOException e) {
                pending.values().forEach(f -> f.completeExceptionally(e));
            }
        }

        private void read() throws IOException {
            if (ch.read(in) < 0) {
                throw new IOException("server closed the connection");
            }
            in.flip();
            while (in.remaining() >= 4 && in.remaining() >= 4 + in.getInt(in.position())) {
                int length = in.getInt();
                long id = in.getLong();
                byte[] payload = new byte[length - 8];
                in.get(payload);
                CompletableFuture<byte[]> f = pending.remove(id);
                if (f != null) {
                    f.complete(payload);
                }
            }
            in.compact();
            if (!in.hasRemaining()) {
                in = ensure(in, in.capacity());
            }
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            selector.wakeup();
            loop.join(5000);
            ch.close();
            selector.close();
        }
    }
}
