package io.rpcboot.core.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.rpcboot.core.testing.TestResources;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.protocol.FrameBuilder;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.protocol.FrameDecoder;
import io.rpcboot.core.internal.protocol.FrameType;
import io.rpcboot.core.internal.protocol.Headers;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server under attack and what the hostile-peer tests check around it: its own event loops
 * (so that failures reaching a loop are counted), a buffer pool whose lent bytes are the memory
 * measure, a normal client that must keep working, and raw sockets for the attacker.
 */
final class HostileHarness implements AutoCloseable {

    static final Duration FRAME_TIMEOUT = Duration.ofMillis(500);

    final BufferPool pool = BufferPool.createDefault();
    final RpcMetrics metrics = RpcMetrics.simple();
    final EventLoopGroup boss = new EventLoopGroup("hostile-boss", 1);
    final EventLoopGroup workers = new EventLoopGroup("hostile-io", 2);
    /** Frames the attacker writes: no limit of its own on what it may build. */
    final FrameCodec attackerCodec = new FrameCodec(BufferPool.builder().direct(false).maxPooledBytes(0).build(),
            Integer.MAX_VALUE, false, 0);
    final RpcServer server;
    final RpcClient client;
    private final List<Socket> sockets = new ArrayList<>();

    /** When set, the server, the normal client and every attacker's socket speak TLS with certificates of this CA. */
    private final io.rpcboot.core.testing.@org.jspecify.annotations.Nullable TestCertificates ca;

    HostileHarness(Consumer<ServerConfig.Builder> config, Consumer<RpcServer.Builder> services) {
        this(config, services, null);
    }

    HostileHarness(Consumer<ServerConfig.Builder> config, Consumer<RpcServer.Builder> services,
                   io.rpcboot.core.testing.@org.jspecify.annotations.Nullable TestCertificates ca) {
        this.ca = ca;
        ServerConfig.Builder c = ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).workerThreads(8);
        c.peerLimits(io.rpcboot.core.PeerLimits.builder().frameTimeout(FRAME_TIMEOUT).build());
        if (ca != null) {
            c.tls(io.rpcboot.core.tls.TlsConfig.builder(
                    io.rpcboot.core.testing.TestCertificates.context(ca.server("provider"), ca)).build());
        }
        config.accept(c);
        RpcServer.Builder b = RpcServer.builder().config(c.build()).metrics(metrics)
                .resources(TestResources.parts(pool).serverLoops(boss, workers).build());
        services.accept(b);
        server = b.start();
        client = RpcClient.builder().config(ClientConfig.builder().ioThreads(1).tls(ca == null ? null
                        : io.rpcboot.core.tls.TlsConfig.builder(io.rpcboot.core.testing.TestCertificates.context(null, ca))
                                .build()).build())
                .staticInstances(HostileServices.Orders.class, "127.0.0.1:" + server.port()).build();
    }

    HostileServices.Orders orders() {
        return client.create(HostileServices.Orders.class);
    }

    /** A normal call on the normal client's own connection. */
    void assertServesNormalCalls() {
        assertThat(orders().echo("still here")).isEqualTo("still here");
    }

    /**
     * An attacker's connection: plain TCP, or over TLS when the harness speaks TLS (the handshake runs
     * with the first read or write, so a connection the server refuses at once reads as closed).
     */
    Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
        s.setSoTimeout(10_000);
        if (ca != null) {
            javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) io.rpcboot.core.testing.TestCertificates.context(null, ca)
                    .getSocketFactory().createSocket(s, "127.0.0.1", server.port(), true);
            s = tls;
        }
        sockets.add(s);
        return s;
    }

    /** Writes as the attacker does: if the server cuts it off midway, so be it. */
    static void writeUntilCutOff(Socket s, byte[] bytes) {
        try {
            s.getOutputStream().write(bytes);
        } catch (IOException e) {
            // the server closed the connection before taking everything: the tests then check why
        }
    }

    /** The bytes of a frame built by the attacker. */
    static byte[] bytes(PooledBuffer frame) {
        ByteBuffer b = frame.buffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        frame.release();
        return out;
    }

    FrameBuilder request(long id, String service, String method) {
        return attackerCodec.start(FrameType.REQUEST, id, 1, RpcStatus.OK).header(Headers.SERVICE, service)
                .header(Headers.METHOD, method);
    }

    FrameBuilder ordersRequest(long id, String method) {
        return request(id, HostileServices.Orders.class.getName(), method);
    }

    /** A fixed header announcing {@code headerLength} + {@code bodyLength} bytes, and nothing else. */
    static byte[] fixedHeader(FrameType type, long id, long headerLength, long bodyLength) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x52).put((byte) 0x42).put((byte) FrameCodec.VERSION).put((byte) type.code()).put((byte) 0)
                .put((byte) 1).put((byte) 0).put((byte) 0).putLong(id).putInt((int) headerLength).putInt((int) bodyLength);
        return b.array();
    }

    /** Reads frames from {@code s} until {@code count} responses arrived; returns them (released). */
    static List<Frame> readResponses(Socket s, int count, long maxFrame) throws IOException {
        FrameCodec codec = new FrameCodec(BufferPool.builder().direct(false).build(), (int) maxFrame, false, 0);
        FrameDecoder decoder = codec.newDecoder();
        List<Frame> frames = new ArrayList<>();
        byte[] chunk = new byte[64 * 1024];
        InputStream in = s.getInputStream();
        try {
            while (frames.size() < count) {
                int n = in.read(chunk);
                if (n < 0) {
                    break;
                }
                decoder.decode(ByteBuffer.wrap(chunk, 0, n), f -> {
                    if (f.type() == FrameType.RESPONSE) {
                        frames.add(f);
                    }
                    f.bodyReader(); // touch the body before it is released
                    f.release();
                });
            }
        } finally {
            decoder.close();
        }
        return frames;
    }

    /** True when the server closes {@code s} (reads drained) before {@code within} passes. */
    static boolean closedByServer(Socket s, Duration within) throws IOException {
        s.setSoTimeout((int) within.toMillis());
        InputStream in = s.getInputStream();
        byte[] sink = new byte[8192];
        try {
            while (true) {
                if (in.read(sink) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server
        }
    }

    double limitCount(String reason) {
        double n = 0;
        for (Counter c : metrics.registry().find("rpc.limits.exceeded").tag("side", "server").tag("reason", reason)
                .counters()) {
            n += c.count();
        }
        for (FunctionCounter c : metrics.registry().find("rpc.limits.exceeded").tag("side", "server")
                .tag("reason", reason).functionCounters()) {
            n += c.count();
        }
        return n;
    }

    double malformedCount() {
        return metrics.registry().get("rpc.frames.malformed").tag("side", "server").counter().count();
    }

    /** Samples the pool's lent bytes on a thread of its own while an attack runs; {@link #peak()} is the most seen. */
    final class MemoryProbe implements AutoCloseable {
        private final long base = pool.bytesInUse();
        private final AtomicLong peak = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread = new Thread(() -> {
            while (running.get()) {
                peak.accumulateAndGet(pool.bytesInUse() - base, Math::max);
                LockSupport.parkNanos(100_000);
            }
        }, "memory-probe");

        MemoryProbe() {
            thread.setDaemon(true);
            thread.start();
        }

        /** The most lent bytes seen above what was lent when the probe started. */
        long peak() {
            return Math.max(peak.get(), pool.bytesInUse() - base);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    /** Heap bytes the server's threads (its loops and workers) have allocated so far. */
    static long serverThreadAllocations() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (name.startsWith("hostile-io") || name.startsWith("rpc-worker")) {
                total += Math.max(0, threads.getThreadAllocatedBytes(t.getId()));
            }
        }
        return total;
    }

    /**
     * What every hostile-peer test ends with: a normal call still works, and once the attacker's
     * sockets are closed nothing is in flight, no pooled buffer is held beyond the normal client's
     * own, and no throwable reached an event loop.
     */
    void assertRecovered() throws Exception {
        assertServesNormalCalls();
        for (Socket s : sockets) {
            s.close();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(server.inFlight()).as("calls in flight on the server").isZero();
            assertThat(client.inFlight()).as("calls in flight on the normal client").isZero();
            assertThat(server.openConnections()).as("only the normal client's connections stay open")
                    .isLessThanOrEqualTo(ClientConfig.builder().build().connectionsPerEndpoint());
        });
        client.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(pool.inUse()).as("pooled buffers held after the attack").isZero());
        assertThat(boss.escapedFailures() + workers.escapedFailures()).as("throwables that reached an event loop")
                .isZero();
    }

    @Override
    public void close() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        client.close();
        server.stop(Duration.ofSeconds(2));
        boss.close();
        workers.close();
    }
}
