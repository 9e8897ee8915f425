package io.rpcboot.core.hostile;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;

import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.protocol.FrameBuilder;
import io.rpcboot.core.internal.protocol.FrameType;
import io.rpcboot.core.internal.protocol.Headers;
import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.serialize.BinaryWriter;
import io.rpcboot.core.server.ExecutionMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.rpcboot.core.hostile.HostileHarness.bytes;
import static io.rpcboot.core.hostile.HostileHarness.closedByServer;
import static io.rpcboot.core.hostile.HostileHarness.fixedHeader;
import static io.rpcboot.core.hostile.HostileHarness.readResponses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * One test per attack a peer can make on a server with raw sockets (the table of the hostile-peers
 * issue, rows 1 to 13; row 14 is {@code FrameFuzzTests}). Each states what the attacker may make the
 * server hold as a formula in the bytes it sent, checks that a normal client is served during and
 * after, and ends with {@link HostileHarness#assertRecovered()}: nothing in flight, every pooled
 * buffer back, nothing escaped to an event loop.
 */
@Timeout(120)
class HostileServerTests {

    private static final String COUNT = "count(java.util.List)";
    private static final String DESCRIBE = "describe(java.lang.Object)";
    private static final String ECHO = "echo(java.lang.String)";

    private HostileHarness harness;

    /**
     * Pooled bytes a TLS run may hold on top of a row's formula, and only while records are in
     * flight: the network buffers (one packet each way, about 17 KiB) of two connections mid-TLS at
     * once, an attacker's handshake and the normal client's call. 0 without TLS.
     */
    long tlsAllowance() {
        return certificates() == null ? 0 : 4 * 17 * 1024L;
    }

    /** The CA of a run over TLS; null runs over plain TCP. */
    io.rpcboot.core.testing.@org.jspecify.annotations.Nullable TestCertificates certificates() {
        return null;
    }

    private HostileHarness start() {
        return start(c -> { });
    }

    private HostileHarness start(java.util.function.Consumer<io.rpcboot.core.server.ServerConfig.Builder> config) {
        harness = new HostileHarness(config, b -> b.service(HostileServices.Orders.class, new HostileServices.DefaultOrders()),
                certificates());
        return harness;
    }

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
    }

    /** Row 1: headers claiming 16 MiB bodies, then a trickle. Held: at most 2 x bytes sent + 8 KiB per connection. */
    @Test
    void claimedBodiesCostOnlyWhatArrivesAndTricklingConnectionsAreClosed() throws Exception {
        HostileHarness h = start();
        int connections = 20;
        long sent = 0;
        List<Socket> attackers = new ArrayList<>();
        try (HostileHarness.MemoryProbe probe = h.new MemoryProbe()) {
            for (int i = 0; i < connections; i++) {
                Socket s = h.connect();
                attackers.add(s);
                byte[] header = fixedHeader(FrameType.REQUEST, i, 0, 16 * 1024 * 1024);
                s.getOutputStream().write(header);
                s.getOutputStream().write(new byte[100]); // and then nothing more: a trickle that stopped
                sent += header.length + 100;
            }
            h.assertServesNormalCalls();
            for (Socket s : attackers) {
                assertThat(closedByServer(s, Duration.ofSeconds(5))).as("a frame not completed in time closes its connection")
                        .isTrue();
            }
            assertThat(probe.peak()).as("bytes held for %d connections that sent %d bytes", connections, sent)
                    .isLessThanOrEqualTo(2 * sent + 8 * 1024L * connections + tlsAllowance());
        }
        assertThat(h.limitCount("frame_timeout")).isEqualTo(connections);
        h.assertRecovered();
    }

    /** Row 2: zlib bombs. Held: at most 2 x bytes sent + 64 KiB; each bomb refused with BAD_REQUEST and counted. */
    @Test
    void compressionBombsAreRefusedAgainstTheRatioBudget() throws Exception {
        HostileHarness h = start();
        byte[] bomb = deflate(new byte[16 * 1024 * 1024 - 64]); // 16 KiB that claims almost 16 MiB
        Socket s = h.connect();
        int bombs = 48;
        long sent = 0;
        try (HostileHarness.MemoryProbe probe = h.new MemoryProbe()) {
            OutputStream out = s.getOutputStream();
            for (int i = 1; i <= bombs; i++) {
                byte[] frame = compressedRequest(h, i, bomb);
                out.write(frame);
                sent += frame.length;
            }
            List<Frame> answers = readResponses(s, bombs, Integer.MAX_VALUE);
            assertThat(answers).hasSize(bombs).allSatisfy(f -> assertThat(f.status()).isEqualTo(RpcStatus.BAD_REQUEST));
            assertThat(probe.peak()).as("bytes held after %d bytes of bombs", sent)
                    .isLessThanOrEqualTo(2 * sent + 64 * 1024 + tlsAllowance());
        }
        assertThat(h.limitCount("inflated_size")).isEqualTo(bombs);
        h.assertRecovered();
    }

    /** Row 3: heartbeats from a peer that never reads. Held: at most 1 MiB; the peer is cut off. */
    @Test
    void aHeartbeatFloodIsCutOffAndHoldsLittle() throws Exception {
        HostileHarness h = start();
        Socket s = h.connect();
        byte[] heartbeat = bytes(h.attackerCodec.start(FrameType.HEARTBEAT, 1, 0, RpcStatus.OK).finish());
        byte[] burst = new byte[heartbeat.length * 1000];
        for (int i = 0; i < 1000; i++) {
            System.arraycopy(heartbeat, 0, burst, i * heartbeat.length, heartbeat.length);
        }
        CompletableFuture<Long> flood = CompletableFuture.supplyAsync(() -> {
            long written = 0;
            try {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < 2000; i++) { // 2 M heartbeats, unless the server stops us first
                    out.write(burst);
                    written += burst.length;
                }
            } catch (java.io.IOException e) {
                // cut off by the server: what this test wants
            }
            return written;
        });
        try (HostileHarness.MemoryProbe probe = h.new MemoryProbe()) {
            long written = flood.get(60, TimeUnit.SECONDS);
            assertThat(written).as("the server stops taking heartbeats long before 2 M").isLessThan(2000L * burst.length);
            assertThat(probe.peak()).isLessThanOrEqualTo(1024 * 1024);
        }
        assertThat(h.limitCount("heartbeat_rate")).isEqualTo(1);
        h.assertRecovered();
    }

    /** A connection cut off in the middle of a read: the rest of that read (a frame begun) is not kept. */
    @Test
    void whatFollowsTheFrameThatClosedAConnectionIsNotKept() throws Exception {
        HostileHarness h = start();
        byte[] heartbeat = bytes(h.attackerCodec.start(FrameType.HEARTBEAT, 1, 0, RpcStatus.OK).finish());
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        for (int i = 0; i < 25; i++) { // past the burst of 20: the connection closes inside this read
            packet.write(heartbeat);
        }
        packet.write(fixedHeader(FrameType.REQUEST, 2, 0, 100_000)); // then a frame begins
        packet.write(new byte[10]);
        Socket s = h.connect();
        s.getOutputStream().write(packet.toByteArray());
        assertThat(closedByServer(s, Duration.ofSeconds(5))).isTrue();
        assertThat(h.limitCount("heartbeat_rate")).isEqualTo(1);
        h.assertRecovered(); // among its checks: no pooled buffer held
    }

    /** Row 3, with requests: a client that sends calls but never reads the answers is no longer read from. */
    @Test
    void aClientThatDoesNotReadItsResponsesIsNotReadFrom() throws Exception {
        HostileHarness h = start();
        Socket s = h.connect();
        s.setReceiveBufferSize(4096);
        String big = "y".repeat(60 * 1024);
        byte[] request = echoRequest(h, 1, big);
        CompletableFuture<Long> sender = CompletableFuture.supplyAsync(() -> {
            long written = 0;
            try {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < 2000; i++) { // 120 MiB of requests, each answered with 60 KiB
                    out.write(request);
                    written += request.length;
                }
            } catch (java.io.IOException e) {
                // closed by the server
            }
            return written;
        });
        try (HostileHarness.MemoryProbe probe = h.new MemoryProbe()) {
            // the sender blocks once the server stops reading; the server holds only what it had read by then
            await().atMost(Duration.ofSeconds(30)).until(() -> h.server.inFlight() == 0 && probe.peak() > 0);
            h.assertServesNormalCalls();
            assertThat(sender).isNotDone();
            assertThat(probe.peak()).as("responses queued for a client that does not read").isLessThanOrEqualTo(16 * 1024 * 1024);
            s.close();
            sender.get(30, TimeUnit.SECONDS);
        }
        h.assertRecovered();
    }

    /** Row 4: frames full of attachments. The header block is capped: such a peer is cut off after its fixed header. */
    @Test
    void attachmentFloodsAreCutOffByTheHeaderBlockCapAndTheAttachmentCount() throws Exception {
        HostileHarness h = start();
        FrameBuilder many = h.ordersRequest(1, ECHO);
        for (int i = 0; i < 65; i++) {
            many.header("k" + i, "v");
        }
        many.body().writeByte(0);
        Socket countAttack = h.connect();
        countAttack.getOutputStream().write(bytes(many.finish()));
        assertThat(closedByServer(countAttack, Duration.ofSeconds(5))).isTrue();

        Socket sizeAttack = h.connect();
        sizeAttack.getOutputStream().write(fixedHeader(FrameType.REQUEST, 2, 16 * 1024 * 1024, 0));
        assertThat(closedByServer(sizeAttack, Duration.ofSeconds(5))).isTrue();
        assertThat(h.limitCount("attachments")).isEqualTo(1);
        assertThat(h.limitCount("header_size")).isEqualTo(1);
        h.assertRecovered();
    }

    /**
     * Row 5: decode amplification (records with absent fields, counts claimed up front). Allocated by
     * the server's threads: at most 48 x bytes sent + 2 MiB.
     */
    @Test
    void decodingCreatesObjectsInProportionToTheBytesReceived() throws Exception {
        HostileHarness h = start();
        int records = 2 * 1024 * 1024;
        FrameBuilder b = h.ordersRequest(1, COUNT);
        BinaryWriter body = b.body();
        body.writeByte(1); // a list
        body.writeVarInt32(records);
        for (int i = 0; i < records; i++) {
            body.writeByte(1); // a Line...
            body.writeVarInt32(0); // ...with none of its fields
        }
        byte[] frame = bytes(b.finish());
        Socket s = h.connect();
        long before = HostileHarness.serverThreadAllocations();
        s.getOutputStream().write(frame);
        List<Frame> answers = readResponses(s, 1, Integer.MAX_VALUE);
        long allocated = HostileHarness.serverThreadAllocations() - before;
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).status()).as("refused at the decode budget").isEqualTo(RpcStatus.BAD_REQUEST);
        assertThat(h.limitCount("decode_budget")).isEqualTo(1);
        assertThat(allocated).as("heap allocated decoding %d bytes", frame.length)
                .isLessThanOrEqualTo(48L * frame.length + 2 * 1024 * 1024);
        h.assertRecovered();
    }

    /** Row 6: a type tag of 20,000 '[': refused with BAD_REQUEST, no worker lost, no call left in flight. */
    @Test
    void aTypeTagOfManyBracketsIsRefused() throws Exception {
        HostileHarness h = start();
        FrameBuilder b = h.ordersRequest(1, DESCRIBE);
        b.body().writeByte(2); // a tagged value
        b.body().writeString("[".repeat(20_000) + "I");
        b.body().writeVarInt32(0);
        Socket s = h.connect();
        s.getOutputStream().write(bytes(b.finish()));
        List<Frame> answers = readResponses(s, 1, Integer.MAX_VALUE);
        assertThat(answers).singleElement().satisfies(f -> assertThat(f.status()).isEqualTo(RpcStatus.BAD_REQUEST));
        h.assertRecovered();
    }

    /** Row 7: error text that would echo a huge input is cut to a budget; the answer always fits a frame. */
    @Test
    void errorMessagesAreTruncatedAndAlwaysAnswered() throws Exception {
        HostileHarness h = start(c -> c.maxFrameSize(64 * 1024));
        assertThatThrownBy(() -> h.orders().fail(20 * 1024 * 1024)).isInstanceOfSatisfying(RpcRemoteException.class,
                e -> assertThat(e.getMessage().length()).isLessThan(2048));
        Socket s = h.connect();
        String longService = "s".repeat(7000); // within the header block cap, echoed by "no service ... here"
        s.getOutputStream().write(bytes(h.request(1, longService, ECHO).finish()));
        List<Frame> answers = readResponses(s, 1, 64 * 1024);
        assertThat(answers).singleElement().satisfies(f -> assertThat(f.status()).isEqualTo(RpcStatus.NOT_FOUND));
        h.assertRecovered();
    }

    /** Row 8: a blank service header, 1,100 times: each answered BAD_REQUEST, nothing left in flight or lent. */
    @Test
    void blankServiceHeadersAreAnsweredEveryTime() throws Exception {
        HostileHarness h = start();
        Socket s = h.connect();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 1; i <= 1100; i++) {
            all.write(bytes(h.request(i, " ", ECHO).finish()));
        }
        s.getOutputStream().write(all.toByteArray());
        List<Frame> answers = readResponses(s, 1100, Integer.MAX_VALUE);
        assertThat(answers).hasSize(1100).allSatisfy(f -> assertThat(f.status()).isEqualTo(RpcStatus.BAD_REQUEST));
        h.assertRecovered();
    }

    /** Row 10: header values are held to the header block cap and not remembered when large. */
    @Test
    void hugeHeaderValuesCloseTheConnection() throws Exception {
        HostileHarness h = start();
        Socket s = h.connect();
        HostileHarness.writeUntilCutOff(s, bytes(h.request(1, "v".repeat(300 * 1024), ECHO).finish()));
        assertThat(closedByServer(s, Duration.ofSeconds(5))).isTrue();
        assertThat(h.limitCount("header_size")).isEqualTo(1);
        h.assertRecovered();
    }

    /** Row 11: connections are limited in total, per address, and in how fast they may come. */
    @Test
    void connectionsAreLimited() throws Exception {
        HostileHarness h = start(c -> c.maxConnections(50));
        List<Socket> opened = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            opened.add(h.connect());
        }
        int closed = 0;
        for (Socket s : opened) {
            if (closedByServer(s, Duration.ofMillis(300))) {
                closed++;
            }
        }
        assertThat(closed).as("connections beyond the limit of 50 (the normal client holds some)").isGreaterThanOrEqualTo(150);
        assertThat(h.limitCount("connections")).isGreaterThanOrEqualTo(150);
        for (Socket s : opened) {
            s.close();
        }
        h.assertRecovered();
    }

    @Test
    void connectionsPerAddressAndAcceptRateAreLimited() throws Exception {
        HostileHarness h = start(c -> c.maxConnectionsPerAddress(10).maxAcceptsPerSecond(20));
        List<Socket> opened = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            opened.add(h.connect());
        }
        int closed = 0;
        for (Socket s : opened) {
            if (closedByServer(s, Duration.ofMillis(300))) {
                closed++;
            }
        }
        assertThat(closed).isGreaterThanOrEqualTo(50);
        assertThat(h.limitCount("connections_per_address") + h.limitCount("accept_rate")).isEqualTo(closed);
        for (Socket s : opened) {
            s.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> h.server.openConnections() <= 2);
        h.assertRecovered();
    }

    /** Row 12: a header key id of 2^31 or more is a malformed frame, not an exception on the loop. */
    @Test
    void headerIdsPastTwoToTheThirtyFirstAreMalformed() throws Exception {
        HostileHarness h = start();
        byte[] entries = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x0F, 1, 'x'}; // id 0xF0000000
        byte[] header = fixedHeader(FrameType.REQUEST, 1, entries.length, 0);
        Socket s = h.connect();
        s.getOutputStream().write(header);
        s.getOutputStream().write(entries);
        assertThat(closedByServer(s, Duration.ofSeconds(5))).isTrue();
        assertThat(h.malformedCount()).isEqualTo(1);
        h.assertRecovered();
    }

    /** An oversize request is answered RESOURCE_EXHAUSTED once its body is skipped; the connection stays open. */
    @Test
    void anOversizeRequestIsAnsweredAndItsConnectionKept() throws Exception {
        HostileHarness h = start(c -> c.maxFrameSize(64 * 1024));
        Socket s = h.connect();
        try (HostileHarness.MemoryProbe probe = h.new MemoryProbe()) {
            s.getOutputStream().write(echoRequest(h, 1, "z".repeat(1024 * 1024)));
            s.getOutputStream().write(echoRequest(h, 2, "small"));
            List<Frame> answers = readResponses(s, 2, Integer.MAX_VALUE);
            assertThat(answers).extracting(Frame::status).containsExactly(RpcStatus.RESOURCE_EXHAUSTED, RpcStatus.OK);
            assertThat(probe.peak()).as("the skipped body is never buffered").isLessThan(256 * 1024);
        }
        assertThat(h.limitCount("frame_size")).isEqualTo(1);
        h.assertRecovered();
    }

    /** Too many calls on one connection are refused, not queued. */
    @Test
    void callsPerConnectionAreLimited() throws Exception {
        HostileHarness h = start(c -> c.maxConcurrentCallsPerConnection(4).executionMode(ExecutionMode.POOL)
                .workerThreads(1).queueCapacity(1000));
        Socket s = h.connect();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 1; i <= 200; i++) {
            all.write(echoRequest(h, i, "n" + i));
        }
        s.getOutputStream().write(all.toByteArray());
        List<Frame> answers = readResponses(s, 200, Integer.MAX_VALUE);
        assertThat(answers).hasSize(200);
        long refused = answers.stream().filter(f -> f.status() == RpcStatus.RESOURCE_EXHAUSTED).count();
        assertThat(refused).isPositive();
        assertThat(h.limitCount("calls_per_connection")).isEqualTo(refused);
        h.assertRecovered();
    }

    /** Row 13: a failed allocation leaves the pool's books as they were. */
    @Test
    void aFailedAllocationDoesNotDriftThePoolsAccounting() {
        BufferPool pool = BufferPool.builder().direct(false).build();
        assertThatThrownBy(() -> pool.acquire(Integer.MAX_VALUE)).isInstanceOf(OutOfMemoryError.class);
        assertThat(pool.inUse()).isZero();
        assertThat(pool.bytesInUse()).isZero();
        PooledBuffer ok = pool.acquire(100);
        ok.release();
        assertThat(pool.inUse()).isZero();
    }

    private static byte[] echoRequest(HostileHarness h, long id, String text) {
        FrameBuilder b = h.ordersRequest(id, ECHO);
        b.body().writeByte(1);
        b.body().writeString(text);
        return bytes(b.finish());
    }

    /** A request whose body is {@code deflated} (announcing the size it was made from) with the compressed flag. */
    private static byte[] compressedRequest(HostileHarness h, long id, byte[] deflated) {
        FrameBuilder b = h.ordersRequest(id, ECHO);
        byte[] plain = bytes(b.finish());
        // the body becomes: u32 announced size, then the zlib stream; flag 0x01 marks it compressed
        int announced = 16 * 1024 * 1024 - 64;
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(plain.length + 4 + deflated.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.put(plain);
        out.putInt(announced).put(deflated);
        byte[] frame = out.array();
        java.nio.ByteBuffer view = java.nio.ByteBuffer.wrap(frame).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        view.put(4, (byte) 0x01);
        view.putInt(20, 4 + deflated.length);
        return frame;
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        while (!d.finished()) {
            out.write(chunk, 0, d.deflate(chunk));
        }
        d.end();
        return out.toByteArray();
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
