package io.rpcboot.core.internal.transport;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.rpcboot.core.internal.buffer.PooledBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

@Timeout(60)
class ConnectionLifecycleTests {

    @RegisterExtension
    final TransportFixture fixture = new TransportFixture();

    @Test
    void peerClosingMidWriteGivesOneClosedCallbackAndLeaksNothing() {
        Recorder serverSide = new Recorder(false) {
            @Override
            public void onData(Connection connection, ByteBuffer data) {
                connection.close("server hangs up mid-stream");
            }
        };
        TcpServer server = fixture.server(TransportConfig.DEFAULTS, () -> serverSide);
        Recorder writer = new Recorder(false);
        Connection connection = fixture.connect(server, writer);
        for (int i = 0; i < 128; i++) { // 8 MiB queued, far more than the server will take
            PooledBuffer b = fixture.pool.acquire(64 * 1024);
            b.buffer().position(b.buffer().limit()).flip();
            connection.write(b);
        }

        String reason = writer.closed.join();
        assertThat(reason).matches("closed by peer|(read|write) failed: .*");
        assertThat(serverSide.closed.join()).isEqualTo("server hangs up mid-stream");
        onLoopOf(connection);
        assertThat(writer.closedCalls).hasValue(1);
        assertThat(serverSide.closedCalls).hasValue(1);
        assertThat(connection.isOpen()).isFalse();
        assertThat(connection.closeReason()).isEqualTo(reason);
    }

    @Test
    void peerResetGivesOneClosedCallbackWithTheReason() throws Exception {
        Recorder serverSide = new Recorder(false);
        TcpServer server = fixture.server(TransportConfig.DEFAULTS, () -> serverSide);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            Connection accepted = serverSide.connected.join();
            socket.getOutputStream().write(new byte[] {1, 2, 3});
            await().until(() -> serverSide.receivedBytes.get() == 3);
            socket.setSoLinger(true, 0); // close() now sends RST instead of FIN
            socket.close();
            assertThat(serverSide.closed.join()).contains("Connection reset");
            onLoopOf(accepted);
        }
        assertThat(serverSide.closedCalls).hasValue(1);
    }

    @Test
    void handlerThatThrowsClosesOnlyItsConnection() {
        TcpServer server = fixture.server(TransportConfig.DEFAULTS, () -> new EchoHandler() {
            @Override
            public void onData(Connection connection, ByteBuffer data) {
                if (data.get(data.position()) == 0x7f) {
                    throw new IllegalArgumentException("poison byte (expected by the test)");
                }
                super.onData(connection, data);
            }
        });
        Recorder victim = new Recorder(false);
        Recorder bystander = new Recorder(true);
        Connection bad = fixture.connect(server, victim);
        Connection good = fixture.connect(server, bystander);

        bad.write(bytes(0x7f));
        assertThat(victim.closed.join()).matches("closed by peer|read failed: .*");

        good.write(bytes(1, 2, 3));
        await().until(() -> bystander.receivedBytes.get() == 3);
        assertThat(bystander.received()).containsExactly(1, 2, 3);
        assertThat(good.isOpen()).isTrue();
        assertThat(server.openConnections()).isEqualTo(1);
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnceAndCounted() {
        TransportConfig limited = TransportConfig.builder().maxConnections(2).build();
        TcpServer server = fixture.server(limited, EchoHandler::new);
        fixture.connect(server, new Recorder(false));
        fixture.connect(server, new Recorder(false));
        await().until(() -> server.openConnections() == 2);

        Recorder third = new Recorder(false);
        fixture.connect(server, third); // the kernel completes the handshake; the server then drops it

        assertThat(third.closed.join()).matches("closed by peer|read failed: .*");
        assertThat(server.rejectedConnections()).isEqualTo(1);
        assertThat(server.openConnections()).isEqualTo(2);
        assertThat(server.acceptedConnections()).isEqualTo(2);
    }

    @Test
    void refusedConnectFailsNamingTheAddress() throws Exception {
        int port;
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        CompletableFuture<Connection> attempt = fixture.client(TransportConfig.DEFAULTS)
                .connect(new InetSocketAddress("127.0.0.1", port), new Recorder(false));
        assertThatExceptionOfType(CompletionException.class).isThrownBy(attempt::join)
                .havingCause().isExactlyInstanceOf(ConnectException.class)
                .withMessageStartingWith("connect to /127.0.0.1:" + port + " failed: ");
    }

    @Test
    void connectTimesOutWhenTheListenerNeverCompletesTheHandshake() throws Exception {
        TransportConfig config = TransportConfig.builder().connectTimeout(Duration.ofMillis(300)).build();
        TcpClient client = fixture.client(config);
        try (ServerSocketChannel full = ServerSocketChannel.open()) {
            full.bind(new InetSocketAddress("127.0.0.1", 0), 1); // backlog 1, never accepted
            InetSocketAddress address = (InetSocketAddress) full.getLocalAddress();
            // once the accept queue is full the kernel drops further SYNs: those connects must time out
            Throwable failure = null;
            List<Connection> queued = new ArrayList<>();
            for (int i = 0; i < 20 && failure == null; i++) {
                try {
                    queued.add(client.connect(address, new Recorder(false)).get(5, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = e.getCause();
                }
            }
            assertThat(failure).isExactlyInstanceOf(ConnectTimeoutException.class)
                    .hasMessage("connect to " + address + " timed out after 300 ms");
            queued.forEach(c -> c.close("test done"));
        }
    }

    @Test
    void idleConnectionIsClosedAfterTheIdleTimeout() {
        TransportConfig idle = TransportConfig.builder().idleTimeout(Duration.ofMillis(200)).build();
        Recorder serverSide = new Recorder(false);
        TcpServer server = fixture.server(idle, () -> serverSide);
        Recorder clientSide = new Recorder(false);
        fixture.connect(server, clientSide);

        assertThat(serverSide.closed.join()).isEqualTo("idle for 200 ms");
        assertThat(clientSide.closed.join()).isEqualTo("closed by peer");
    }

    @Test
    void trafficKeepsAConnectionFromIdling() {
        TransportConfig idle = TransportConfig.builder().idleTimeout(Duration.ofMillis(300)).build();
        Recorder serverSide = new Recorder(false);
        TcpServer server = fixture.server(idle, () -> serverSide);
        Connection client = fixture.connect(server, new Recorder(false));
        long start = System.nanoTime();
        // keep sending for three idle periods; the server must not see the connection as idle
        while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(900)) {
            long sent = serverSide.receivedBytes.get();
            client.write(bytes(1));
            await().until(() -> serverSide.receivedBytes.get() > sent);
        }
        assertThat(serverSide.closedCalls).hasValue(0);
        assertThat(serverSide.closed).isNotDone();
    }

    @Test
    void stopAcceptingFreesThePortAndKeepsOpenConnections() throws Exception {
        TcpServer server = fixture.server(TransportConfig.DEFAULTS, EchoHandler::new);
        Recorder clientSide = new Recorder(true);
        Connection open = fixture.connect(server, clientSide);
        int port = server.port();

        server.stopAccepting();

        try (ServerSocketChannel rebound = ServerSocketChannel.open()) {
            rebound.bind(new InetSocketAddress("127.0.0.1", port)); // throws BindException if still held
        }
        open.write(bytes(9));
        await().until(() -> clientSide.receivedBytes.get() == 1);
        assertThat(server.openConnections()).isEqualTo(1);
    }

    @Test
    void writingAReleasedBufferIsRefused() {
        TcpServer server = fixture.server(TransportConfig.DEFAULTS, EchoHandler::new);
        Connection connection = fixture.connect(server, new Recorder(false));
        PooledBuffer b = bytes(1);
        b.release();
        assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> connection.write(b))
                .withMessageStartingWith("cannot write a released buffer");
        assertThat(connection.isOpen()).isTrue();
    }

    @Test
    void bindingAPortInUseFailsNamingTheAddress() {
        TcpServer first = fixture.server(TransportConfig.DEFAULTS, EchoHandler::new);
        TcpServer second = new TcpServer(TransportConfig.DEFAULTS, fixture.boss.next(), fixture.workers,
                fixture.pool, EchoHandler::new);
        assertThatExceptionOfType(java.io.UncheckedIOException.class)
                .isThrownBy(() -> second.bind("127.0.0.1", first.port()))
                .withMessageStartingWith("cannot listen on 127.0.0.1:" + first.port());
        second.close();
    }

    private PooledBuffer bytes(int... values) {
        PooledBuffer b = fixture.pool.acquire(values.length);
        for (int v : values) {
            b.buffer().put((byte) v);
        }
        b.buffer().flip();
        return b;
    }

    /** Waits until the connection's loop has run everything queued so far (callbacks included). */
    private static void onLoopOf(Connection connection) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        connection.eventLoop().execute(() -> done.complete(null));
        done.join();
    }
}
