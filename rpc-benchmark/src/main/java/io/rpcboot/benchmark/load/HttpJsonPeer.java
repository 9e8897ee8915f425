package io.rpcboot.benchmark.load;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;

/**
 * The same echo service and server as {@code rpc-boot-defaults} (every server default, HTTP on),
 * called over HTTP/JSON on the rpc port: {@code POST /{service}/echo} with the payload as a JSON
 * array of one base64 string, answered with the echo as a JSON string. The client is what a caller
 * without an rpc-boot client would use at its leanest: one kept-alive blocking socket per caller
 * thread, which writes its request and reads the response itself. What the cell measures beside the
 * binary protocol is what HTTP/JSON costs the server (parsing, JSON, the extra copy of a request
 * into a frame) and the caller (base64 and text).
 */
final class HttpJsonPeer implements Peer {

    private static final String PATH = "/" + RpcBootPeer.EchoService.class.getName() + "/echo";

    @Override
    public String name() {
        return "rpc-boot-http";
    }

    @Override
    public Server startServer(int port) {
        RpcServer server = RpcServer.builder().config(ServerConfig.builder().host("127.0.0.1").port(port).build())
                .service(RpcBootPeer.EchoService.class, payload -> payload).start();
        return new Server() {
            public int port() {
                return server.port();
            }

            public void close() {
                server.stop(Duration.ofSeconds(1));
            }
        };
    }

    @Override
    public Caller connect(int port) {
        return new Client(port);
    }

    private static final class Client implements Caller {
        private final int port;
        private final Queue<SocketChannel> opened = new ConcurrentLinkedQueue<>();
        private final ThreadLocal<Connection> connections = new ThreadLocal<>();

        Client(int port) {
            this.port = port;
        }

        @Override
        public byte[] call(byte[] payload) throws IOException {
            Connection c = connections.get();
            if (c == null) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                opened.add(ch);
                connections.set(c = new Connection(ch));
            }
            return c.call(payload);
        }

        @Override
        public void close() throws IOException {
            SocketChannel ch;
            while ((ch = opened.poll()) != null) {
                ch.close();
            }
        }
    }

    private static final class Connection {
        private final SocketChannel ch;
        private ByteBuffer in = ByteBuffer.allocate(4096);

        Connection(SocketChannel ch) {
            this.ch = ch;
            in.flip();
        }

        byte[] call(byte[] payload) throws IOException {
            byte[] body = ("[\"" + Base64.getEncoder().encodeToString(payload) + "\"]").getBytes(StandardCharsets.US_ASCII);
            byte[] head = ("POST " + PATH + " HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            ByteBuffer out = ByteBuffer.allocate(head.length + body.length).put(head).put(body).flip();
            while (out.hasRemaining()) {
                ch.write(out);
            }
            int end = headEnd();
            String header = new String(in.array(), in.position(), end - in.position(), StandardCharsets.US_ASCII);
            in.position(end + 4);
            if (!header.startsWith("HTTP/1.1 200 ")) {
                throw new IOException("not answered 200: " + header.lines().findFirst().orElse(""));
            }
            int at = header.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
            int length = Integer.parseInt(header.substring(at + 15, header.indexOf('\r', at)).trim());
            fill(length);
            String json = new String(in.array(), in.position(), length, StandardCharsets.US_ASCII);
            in.position(in.position() + length);
            return Base64.getDecoder().decode(json.substring(1, json.length() - 1));
        }

        /** Reads until the response's head is in {@code in}; the offset of its CRLFCRLF. */
        private int headEnd() throws IOException {
            int from = in.position();
            while (true) {
                byte[] a = in.array();
                for (int i = from; i + 3 < in.limit(); i++) {
                    if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                        return i;
                    }
                }
                readMore(); // compacts: scan again from the start (heads are short)
                from = in.position();
            }
        }

        private void fill(int bytes) throws IOException {
            while (in.remaining() < bytes) {
                readMore();
            }
        }

        private void readMore() throws IOException {
            in.compact();
            if (!in.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
                in.flip();
                bigger.put(in);
                in = bigger;
            }
            int n = ch.read(in);
            in.flip();
            if (n < 0) {
                throw new EOFException("the server closed the connection");
            }
        }
    }
}
