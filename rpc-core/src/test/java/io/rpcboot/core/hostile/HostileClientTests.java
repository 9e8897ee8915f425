package io.rpcboot.core.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import io.rpcboot.core.testing.TestResources;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.internal.protocol.FrameBuilder;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.protocol.FrameDecoder;
import io.rpcboot.core.internal.protocol.FrameType;
import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.testing.FakeClock;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.rpcboot.core.hostile.HostileHarness.bytes;
import static io.rpcboot.core.hostile.HostileHarness.fixedHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The client's side of the hostile-peers table (rows 1, 3 and 9): a rogue provider, written with a
 * raw server socket, answers a real {@link RpcClient} as an attacker would. Every call completes by
 * its deadline, the client holds what the bytes received allow, and nothing reaches an event loop.
 */
@Timeout(60)
class HostileClientTests {

    /** Water marks well below one 256 KiB call, so that every call sent fills the connection again. */
    private static final PeerLimits MARKS_32_64_KIB = PeerLimits.builder().waterMarks(32 * 1024, 64 * 1024).build();

    private static final Duration CALL_TIMEOUT = Duration.ofMillis(800);

    private final BufferPool pool = BufferPool.createDefault();
    private final RpcMetrics metrics = RpcMetrics.simple();
    private final EventLoopGroup loops = new EventLoopGroup("hostile-client", 1);
    private final FrameCodec rogueCodec = new FrameCodec(BufferPool.builder().direct(false).build(), Integer.MAX_VALUE,
            false, 0);
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        loops.close();
    }

    /** A provider that answers each request with what {@code answer} writes (request id, socket output). */
    private int rogueProvider(BiFunction<Long, OutputStream, Boolean> answer) throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closeables.add(listener);
        Thread t = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    closeables.add(s);
                    serve(s, answer);
                } catch (IOException e) {
                    return;
                }
            }
        }, "rogue-provider");
        t.setDaemon(true);
        t.start();
        return listener.getLocalPort();
    }

    private void serve(Socket s, BiFunction<Long, OutputStream, Boolean> answer) {
        Thread t = new Thread(() -> {
            FrameDecoder decoder = rogueCodec.newDecoder();
            try (InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                byte[] chunk = new byte[8192];
                int n;
                while ((n = in.read(chunk)) > 0) {
                    List<Long> requests = new ArrayList<>();
                    decoder.decode(ByteBuffer.wrap(chunk, 0, n), f -> {
                        if (f.type() == FrameType.REQUEST) {
                            requests.add(f.requestId());
                        }
                        f.release();
                    });
                    for (long id : requests) {
                        if (!answer.apply(id, out)) {
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                // the client closed the connection
            } finally {
                decoder.close();
            }
        }, "rogue-connection");
        t.setDaemon(true);
        t.start();
    }

    private RpcClient client(int port) {
        RpcClient client = RpcClient.builder().resources(TestResources.parts(pool).clientLoops(loops).build()).metrics(metrics)
                .config(ClientConfig.builder().timeout(CALL_TIMEOUT).maxFrameSize(64 * 1024)
                        .peerLimits(PeerLimits.builder().frameTimeout(Duration.ofMillis(300)).build()).build())
                .staticInstances(HostileServices.Orders.class, "127.0.0.1:" + port).build();
        closeables.add(0, client);
        return client;
    }

    private static boolean write(OutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void assertRecovered(RpcClient client) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(client.inFlight()).isZero());
        client.close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(pool.inUse()).isZero());
        assertThat(loops.escapedFailures()).as("throwables that reached the client's event loop").isZero();
    }

    private double clientLimit(String reason) {
        return metrics.registry().find("rpc.limits.exceeded").tag("side", "client").tag("reason", reason).counters()
                .stream().mapToDouble(c -> c.count()).sum();
    }

    /** Row 9: whatever the provider answers, an asynchronous call completes, by its deadline. */
    /** What a rogue provider answers, one way per element. */
    private List<BiFunction<Long, OutputStream, Boolean>> roguesAnswers() {
        return List.of(
                (id, out) -> true, // never answers
                (id, out) -> write(out, okWithBody(id, new byte[] {2, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF})), // garbage
                (id, out) -> write(out, bytes(rogueCodec.start(FrameType.RESPONSE, id, 1, RpcStatus.OK).finish())), // empty
                (id, out) -> write(out, withStatus(id, 200)), // a status nobody knows
                (id, out) -> write(out, typeTagBomb(id)), // a result of 20,000 '['
                (id, out) -> write(out, fixedHeader(FrameType.RESPONSE, id, 0, 1 << 30)), // oversize, never sent
                (id, out) -> write(out, bytes(rogueCodec.start(FrameType.RESPONSE, id + 7, 1, RpcStatus.OK).finish())));
    }

    @Test
    void asynchronousCallsCompleteByTheirDeadlineWhateverTheProviderAnswers() throws Exception {
        for (BiFunction<Long, OutputStream, Boolean> answer : roguesAnswers()) {
            RpcClient client = client(rogueProvider(answer));
            long start = System.nanoTime();
            HostileServices.Orders orders = client.create(HostileServices.Orders.class);
            // one call whose result type is fixed, one whose result carries a type tag (an open type)
            List<CompletableFuture<?>> calls = List.of(orders.echoLater("hi"), orders.anything("hi"));
            for (CompletableFuture<?> call : calls) {
                try {
                    call.get(CALL_TIMEOUT.toMillis() + 2000, TimeUnit.MILLISECONDS);
                } catch (ExecutionException expected) {
                    // failing is fine; hanging is not
                }
                assertThat(call).isDone();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(CALL_TIMEOUT.plusSeconds(2));
            assertRecovered(client);
        }
    }

    /** Row 1, client side: a response that claims a huge body and trickles holds little and is cut off. */
    @Test
    void aTricklingProviderIsCutOffAndHoldsLittle() throws Exception {
        int port = rogueProvider((id, out) -> write(out, fixedHeader(FrameType.RESPONSE, id, 0, 60 * 1024))
                && write(out, new byte[100]));
        RpcClient client = client(port);
        long base = pool.bytesInUse();
        CompletableFuture<String> call = client.create(HostileServices.Orders.class).echoLater("hi");
        await().atMost(Duration.ofSeconds(5)).until(() -> clientLimit("frame_timeout") == 1);
        // counted as the limit is hit, then the connection closes and its call fails (on the loop, a moment later)
        await().atMost(Duration.ofSeconds(5)).until(call::isDone);
        assertThat(call).isCompletedExceptionally();
        assertThat(pool.bytesInUse() - base).isLessThanOrEqualTo(8 * 1024);
        assertRecovered(client);
    }

    /**
     * Rows 9 and 1 with synchronous calls: alone on its connection, the caller reads the responses
     * itself, on its own thread, and the same limits hold there. A call ends by its deadline whatever
     * the provider answers; a trickling response is cut off by the frame timeout, holding little.
     */
    @Test
    void aSynchronousCallerReadingItsOwnConnectionMeetsTheSameLimits() throws Exception {
        for (BiFunction<Long, OutputStream, Boolean> answer : roguesAnswers()) {
            RpcClient client = client(rogueProvider(answer));
            HostileServices.Orders orders = client.create(HostileServices.Orders.class);
            long start = System.nanoTime();
            String result; // a wrong answer may decode by luck as a string: failing is fine, hanging is not
            try {
                result = orders.echo("hi");
            } catch (io.rpcboot.core.RpcException failed) {
                result = null;
            }
            assertThat(result).isNotEqualTo("hi");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(CALL_TIMEOUT.plusSeconds(2));
            assertRecovered(client);
        }

        int port = rogueProvider((id, out) -> write(out, fixedHeader(FrameType.RESPONSE, id, 0, 60 * 1024))
                && write(out, new byte[100]));
        RpcClient client = client(port);
        long base = pool.bytesInUse();
        HostileServices.Orders orders = client.create(HostileServices.Orders.class);
        CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> orders.echo("hi"),
                r -> new Thread(r, "reading-caller").start());
        await().atMost(Duration.ofSeconds(5)).until(() -> clientLimit("frame_timeout") == 1);
        assertThat(pool.bytesInUse() - base).isLessThanOrEqualTo(8 * 1024);
        // cut off by the frame timeout (300 ms), not by its own deadline (800 ms)
        assertThat(catchThrowable(call::join)).hasCauseInstanceOf(io.rpcboot.core.RpcException.class)
                .cause().isNotInstanceOf(RpcTimeoutException.class);
        assertRecovered(client);
    }

    /** Row 3, client side: a provider flooding heartbeats is cut off at the heartbeat rate. */
    @Test
    void aProviderFloodingHeartbeatsIsCutOff() throws Exception {
        byte[] heartbeat = bytes(rogueCodec.start(FrameType.HEARTBEAT, 9, 0, RpcStatus.OK).finish());
        int port = rogueProvider((id, out) -> {
            for (int i = 0; i < 100_000; i++) {
                if (!write(out, heartbeat)) {
                    return false;
                }
            }
            return true;
        });
        RpcClient client = client(port);
        CompletableFuture<String> call = client.create(HostileServices.Orders.class).echoLater("hi");
        await().atMost(Duration.ofSeconds(5)).until(() -> clientLimit("heartbeat_rate") == 1);
        await().atMost(Duration.ofSeconds(5)).until(call::isDone);
        assertRecovered(client);
    }

    /**
     * Back-pressure: a provider that stops reading gets no more request bytes. Once the connection's
     * queue passes the high water mark, new calls wait unsent (nothing more is queued or encoded),
     * end at their deadline naming the reason, and go out as soon as the provider reads again.
     */
    @Test
    void callsToAProviderThatStopsReadingWaitUnsentUntilItReadsAgain() throws Exception {
        FakeClock clock = new FakeClock();
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closeables.add(listener);
        CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                Socket s = listener.accept(); // and then does not read
                closeables.add(s);
                return s;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        RpcClient client = RpcClient.builder().resources(TestResources.parts(pool).clientLoops(loops).clock(clock).build()).metrics(metrics)
                .config(ClientConfig.builder().timeout(Duration.ofSeconds(10)).connectionsPerEndpoint(1)
                        .peerLimits(MARKS_32_64_KIB).build())
                .staticInstances(HostileServices.Orders.class, "127.0.0.1:" + listener.getLocalPort()).build();
        closeables.add(0, client);
        HostileServices.Orders orders = client.create(HostileServices.Orders.class);
        String big = "x".repeat(256 * 1024);
        List<CompletableFuture<String>> queued = new ArrayList<>();
        queued.add(orders.echoLater(big)); // connects
        Socket provider = accepted.join();
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.registry().get("rpc.client.connections").gauge().value() == 1);
        // 50 MiB of requests, far more than the socket buffers take: past the high water mark, calls wait
        // unsent, so what the client holds stays within the mark plus the call that crosses it
        long frame = big.length() + 1024;
        long mostLent = 0;
        for (int i = 0; i < 200; i++) {
            queued.add(orders.echoLater(big));
            mostLent = Math.max(mostLent, pool.bytesInUse());
        }
        assertThat(mostLent).as("bytes the client held while 50 MiB of calls went to a provider that does not read")
                .isLessThan(MARKS_32_64_KIB.highWaterMark() + 2 * frame);
        await().untilAsserted(() -> assertThat(clientLimit("write_backlog")).isGreaterThanOrEqualTo(1));

        // 20 more calls (5 MiB) add nothing to that bound: they wait unencoded. (The kernel may still take
        // a few bytes and let one waiting call go out, so the bound is the same, not "no change".)
        List<CompletableFuture<String>> waiting = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            waiting.add(orders.echoLater(big));
            mostLent = Math.max(mostLent, pool.bytesInUse());
        }
        assertThat(mostLent).as("bytes the client held after 20 more calls of 256 KiB")
                .isLessThan(MARKS_32_64_KIB.highWaterMark() + 2 * frame);
        assertThat(waiting).noneMatch(CompletableFuture::isDone);

        clock.forward(Duration.ofSeconds(10)); // every call so far reaches its deadline
        // each times out; those that waited unsent say so (the kernel may have taken a few more bytes
        // and let one go out, which then timed out waiting for its answer)
        int saidTheyWaited = 0;
        for (CompletableFuture<String> call : waiting) {
            Throwable cause = catchThrowable(call::join).getCause();
            assertThat(cause).isInstanceOf(RpcTimeoutException.class).hasMessageContaining("timed out after 10000 ms");
            if (cause.getMessage().endsWith("timed out after 10000 ms; it waited for a connection that took no writes:"
                    + " the provider does not read")) {
                saidTheyWaited++;
            }
        }
        assertThat(saidTheyWaited).as("calls that timed out waiting, unsent, and said so").isGreaterThanOrEqualTo(waiting.size() - 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> queued.stream().allMatch(CompletableFuture::isDone));

        // calls made now wait too; each is larger than the high water mark, so each one sent fills the
        // connection again and the next waits for the next drain
        List<CompletableFuture<String>> afterwards = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            afterwards.add(orders.echoLater(big));
        }
        assertThat(afterwards).as("still waiting: the provider has not read").noneMatch(CompletableFuture::isDone);
        serve(provider, (id, out) -> write(out, withStatus(id, RpcStatus.SERVICE_ERROR.code()))); // reads again
        for (CompletableFuture<String> call : afterwards) {
            assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(RpcRemoteException.class)
                    .hasMessageContaining("SERVICE_ERROR"); // sent, and answered
        }
        assertRecovered(client);
    }

    private byte[] okWithBody(long id, byte[] body) {
        FrameBuilder b = rogueCodec.start(FrameType.RESPONSE, id, 1, RpcStatus.OK);
        b.body().writeRaw(body, 0, body.length);
        return bytes(b.finish());
    }

    private byte[] withStatus(long id, int status) {
        byte[] frame = okWithBody(id, new byte[] {1, 0});
        frame[6] = (byte) status;
        return frame;
    }

    private byte[] typeTagBomb(long id) {
        FrameBuilder b = rogueCodec.start(FrameType.RESPONSE, id, 1, RpcStatus.OK);
        b.body().writeByte(2);
        b.body().writeString("[".repeat(20_000) + "I");
        return bytes(b.finish());
    }
}
