package io.rpcboot.benchmark.load;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The floor as a caller without a client library would build it: one blocking socket per caller
 * thread, which writes its request and reads the echo itself (two thread wake-ups per call: the
 * server's selector and the caller; these are the reads every side does, so docs/benchmarks.md,
 * which counts the wake-ups beyond them, gives this floor none). The server is {@link NioFloorPeer}'s, unchanged: one selector
 * thread echoing {@code [int length][long id][payload]}. The committed {@code nio-floor} (one
 * multiplexed connection with coalesced writes) stays the yardstick for throughput; this one is the
 * yardstick the latency targets of the default configuration are stated against.
 */
final class NioSocketsFloorPeer implements Peer {

    @Override
    public String name() {
        return "nio-floor-sockets";
    }

    @Override
    public Server startServer(int port) throws IOException {
        return new NioFloorPeer().startServer(port);
    }

    @Override
    public Caller connect(int port) {
        return new Client(port);
    }

    /** A socket per caller thread, opened at its first call. */
    private static final class Client implements Caller {
        private final int port;
        private final Queue<SocketChannel> opened = new ConcurrentLinkedQueue<>();
        private final ThreadLocal<Socket> sockets = new ThreadLocal<>();

        Client(int port) {
            this.port = port;
        }

        @Override
        public byte[] call(byte[] payload) throws IOException {
            Socket s = sockets.get();
            if (s == null) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                opened.add(ch);
                sockets.set(s = new Socket(ch));
            }
            return s.call(payload);
        }

        @Override
        public void close() throws IOException {
            SocketChannel ch;
            while ((ch = opened.poll()) != null) {
                ch.close();
            }
        }
    }

    private static final class Socket {
        private final SocketChannel ch;
        private ByteBuffer buffer = ByteBuffer.allocateDirect(1024);
        private long ids;

        Socket(SocketChannel ch) {
            this.ch = ch;
        }

        byte[] call(byte[] payload) throws IOException {
            int frame = 12 + payload.length;
            if (buffer.capacity() < frame) {
                buffer = ByteBuffer.allocateDirect(frame);
            }
            long id = ++ids;
            buffer.clear();
            buffer.putInt(8 + payload.length).putLong(id).put(payload).flip();
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            buffer.clear().limit(frame);
            while (buffer.hasRemaining()) {
                if (ch.read(buffer) < 0) {
                    throw new EOFException("the floor server closed the connection");
                }
            }
            buffer.flip();
            if (buffer.getInt() != 8 + payload.length || buffer.getLong() != id) {
                throw new IOException("the echo does not match request " + id);
            }
            byte[] echo = new byte[payload.length];
            buffer.get(echo);
            return echo;
        }
    }
}
