package io.rpcboot.core.internal.protocol;

import io.rpcboot.core.RpcStatus;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import io.rpcboot.core.internal.buffer.BufferPool;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class FrameDecoderTests {

    private final BufferPool pool = BufferPool.createDefault();

    @AfterEach
    void nothingLeaks() {
        assertThat(pool.inUse()).isZero();
    }

    /** One frame as the test remembers it: what was sent, to compare with what is decoded. */
    record Sent(FrameType type, long id, int serialization, int status, List<String> headers, byte[] body, boolean reply) {
        static Sent of(Frame f) {
            List<String> h = new ArrayList<>();
            f.headers().forEach((k, v) -> h.add(k + "=" + v));
            h.sort(null); // entry order carries no meaning
            ByteBuffer b = f.body();
            byte[] body = new byte[b.remaining()];
            b.get(body);
            f.release();
            return new Sent(f.type(), f.requestId(), f.serializationId(), f.statusCode(), h, body, f.isHeartbeatReply());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sent s && s.type == type && s.id == id && s.serialization == serialization
                    && s.status == status && s.headers.equals(headers) && java.util.Arrays.equals(s.body, body)
                    && s.reply == reply;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id);
        }

        @Override
        public String toString() {
            return type + "#" + id + " " + headers + " body=" + HexFormat.of().formatHex(body, 0, Math.min(16, body.length));
        }
    }

    @Property(tries = 60)
    void decodesTheSameFramesWhateverTheSplit(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int splitMode) {
        Random random = new Random(seed);
        FrameCodec plain = new FrameCodec(pool);
        FrameCodec checked = new FrameCodec(pool, FrameCodec.DEFAULT_MAX_FRAME_SIZE, true, 512);
        List<Sent> sent = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < 20; i++) {
            stream.writeBytes(randomFrame(random, random.nextBoolean() ? plain : checked, sent));
        }
        byte[] bytes = stream.toByteArray();

        List<Sent> decoded = new ArrayList<>();
        FrameDecoder decoder = plain.newDecoder();
        int offset = 0;
        while (offset < bytes.length) {
            int n = switch (splitMode) {
                case 0 -> 1; // one byte at a time
                case 1 -> 1 + random.nextInt(64);
                default -> 1 + random.nextInt(bytes.length);
            };
            n = Math.min(n, bytes.length - offset);
            ByteBuffer chunk = ByteBuffer.allocateDirect(n).put(bytes, offset, n).flip();
            decoder.decode(chunk, f -> decoded.add(Sent.of(f)));
            assertThat(chunk.hasRemaining()).isFalse();
            offset += n;
        }
        assertThat(decoder.hasPartialFrame()).isFalse();
        decoder.close();
        assertThat(decoded).containsExactlyElementsOf(sent);
    }

    private byte[] randomFrame(Random random, FrameCodec codec, List<Sent> sent) {
        FrameType type = FrameType.values()[random.nextInt(FrameType.values().length)];
        long id = random.nextLong();
        int serialization = random.nextInt(3);
        RpcStatus status = type == FrameType.RESPONSE ? RpcStatus.values()[random.nextInt(8)] : RpcStatus.OK;
        FrameBuilder b = codec.start(type, id, serialization, status);
        List<String> headers = new ArrayList<>();
        int entries = random.nextInt(4);
        for (int i = 0; i < entries; i++) {
            String key = i == 0 ? Headers.SERVICE : i == 1 ? "tenant" : i == 2 ? Headers.DEADLINE : "x-" + i;
            String value = "v" + random.nextInt(1000) + "é".repeat(random.nextInt(3));
            if (key.equals(Headers.DEADLINE) && random.nextBoolean()) { // as a number, or a string that only looks like one
                long millis = 1 + random.nextLong(Long.MAX_VALUE - 1);
                value = random.nextBoolean() ? Long.toString(millis) : "0" + millis;
                if (random.nextBoolean() && value.charAt(0) != '0') {
                    b.header(key, millis);
                } else {
                    b.header(key, value);
                }
            } else {
                b.header(key, value);
            }
            headers.add(key + "=" + value);
        }
        boolean reply = type == FrameType.HEARTBEAT && random.nextBoolean();
        if (reply) {
            b.heartbeatReply();
        }
        byte[] body = new byte[random.nextInt(4) == 0 ? random.nextInt(5000) : random.nextInt(40)];
        if (random.nextBoolean()) {
            java.util.Arrays.fill(body, (byte) 'z'); // compressible
        } else {
            random.nextBytes(body);
        }
        b.body().writeRaw(body, 0, body.length);
        headers.sort(null);
        sent.add(new Sent(type, id, serialization, status.code(), headers, body, reply));
        return ProtocolVectorTests.bytes(b.finish());
    }

    @Test
    void deadlineIsReadAsANumberAndStillShownAsItsString() {
        FrameCodec codec = new FrameCodec(pool);
        assertThat(deadlineOf(codec, b -> b.header(Headers.DEADLINE, 1_795_000_000_000L)))
                .isEqualTo(new Object[] {1_795_000_000_000L, "1795000000000"});
        assertThat(deadlineOf(codec, b -> b.header(Headers.DEADLINE, "1795000000000")))
                .isEqualTo(new Object[] {1_795_000_000_000L, "1795000000000"});
        assertThat(deadlineOf(codec, b -> b.header(Headers.DEADLINE, "0017"))).isEqualTo(new Object[] {17L, "0017"});
        assertThat(deadlineOf(codec, b -> b.header(Headers.DEADLINE, "soon")))
                .isEqualTo(new Object[] {Frame.BAD_DEADLINE, "soon"});
        assertThat(deadlineOf(codec, b -> b.header(Headers.DEADLINE, "9".repeat(40))))
                .isEqualTo(new Object[] {Frame.BAD_DEADLINE, "9".repeat(40)});
        assertThat(deadlineOf(codec, b -> b.header(Headers.DEADLINE, "5").header(Headers.DEADLINE, 6L)))
                .as("a repeated entry: the last one counts").isEqualTo(new Object[] {6L, "6"});
        assertThat(deadlineOf(codec, b -> b.header(Headers.DEADLINE, 6L).header(Headers.DEADLINE, "9".repeat(40))))
                .as("whatever the form of the last one").isEqualTo(new Object[] {Frame.BAD_DEADLINE, "9".repeat(40)});
        assertThat(deadlineOf(codec, b -> b.header(Headers.SERVICE, "s"))).isEqualTo(new Object[] {0L, null});
    }

    @Test
    void aFrameWithoutBodyKeepsNoHoldOnPooledMemory() {
        FrameCodec codec = new FrameCodec(pool);
        ByteBuffer both = ByteBuffer.allocate(1024);
        for (String service : List.of("com.example.Clock", "c")) { // zero-argument requests: entries, no body
            both.put(ProtocolVectorTests.bytes(codec.start(FrameType.REQUEST, service.length(), 1, RpcStatus.OK)
                    .header(Headers.SERVICE, service).header(Headers.METHOD, "now()").finish()));
        }
        List<Frame> out = new ArrayList<>();
        FrameDecoder decoder = codec.newDecoder();
        decoder.decode(both.flip(), out::add);
        decoder.close();
        assertThat(out).hasSize(2);
        for (Frame f : out) { // read after the next frame reused whatever memory the first one had
            assertThat(f.body().remaining()).isZero();
            assertThat(f.bodyReader().hasRemaining()).isFalse();
            f.release();
        }
    }

    /** {deadlineMillis(), header(DEADLINE)} of a request built by {@code headers} and decoded. */
    private static Object[] deadlineOf(FrameCodec codec, java.util.function.Consumer<FrameBuilder> headers) {
        FrameBuilder b = codec.start(FrameType.REQUEST, 1, 1, RpcStatus.OK);
        headers.accept(b);
        List<Frame> out = new ArrayList<>();
        FrameDecoder decoder = codec.newDecoder();
        decoder.decode(ByteBuffer.wrap(ProtocolVectorTests.bytes(b.finish())), out::add);
        decoder.close();
        assertThat(out).hasSize(1);
        Frame f = out.get(0);
        f.release();
        return new Object[] {f.deadlineMillis(), f.header(Headers.DEADLINE)};
    }

    @Test
    void garbageIsRefusedAsBadMagicAndHttpIsNamed() {
        FrameDecoder decoder = new FrameCodec(pool).newDecoder();
        assertThatExceptionOfType(ForeignProtocolException.class)
                .isThrownBy(() -> decoder.decode(ByteBuffer.wrap("\u0001\u0002 garbage".getBytes()), f -> { }))
                .withMessage("bad magic 0x0102 at the start of frame 0 (expected 0x5242): the peer does not speak"
                        + " the rpc-boot protocol");
        decoder.close();
        FrameDecoder server = new FrameCodec(pool).newDecoder();
        assertThatExceptionOfType(ForeignProtocolException.class)
                .isThrownBy(() -> server.decode(ByteBuffer.wrap("GET / HTTP/1.1\r\n".getBytes()), f -> { }))
                .withMessageStartingWith("the peer sent an HTTP request, not an rpc-boot frame");
        server.close();
        FrameDecoder client = new FrameCodec(pool).newDecoder();
        assertThatExceptionOfType(ForeignProtocolException.class)
                .isThrownBy(() -> client.decode(ByteBuffer.wrap("HTTP/1.1 400 Bad Request\r\n".getBytes()), f -> { }))
                .withMessage("the peer answered in HTTP, not the rpc-boot protocol: this address is a web port (such as"
                        + " server.port), not an rpc port (rpc.server.port)");
        client.close();
    }

    @Test
    void unknownVersionTypeFlagsAndReservedAreRefused() {
        assertRefused(patch(heartbeat(), 2, 7), "unsupported protocol version 7 (this side speaks 1)");
        assertRefused(patch(heartbeat(), 3, 9), "unknown frame type 9");
        assertRefused(patch(heartbeat(), 4, 0x10), "unknown flags 0x10 in a HEARTBEAT frame");
        assertRefused(patch(patch(heartbeat(), 3, 1), 4, 4), "heartbeat-reply flag on a REQUEST frame");
        assertRefused(patch(heartbeat(), 7, 1), "reserved header byte is 1, must be 0");
    }

    @Test
    void lengthOfTwoToTheThirtyFirstIsRefusedBeforeAllocating() {
        byte[] frame = heartbeat();
        ByteBuffer.wrap(frame).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(20, Integer.MAX_VALUE);
        long allocatedBefore = pool.allocatedBytes();
        assertRefused(frame, "a HEARTBEAT frame of 2147483671 bytes exceeds the limit of 16777216 bytes");
        assertThat(pool.allocatedBytes()).isEqualTo(allocatedBefore);
    }

    @Test
    void checksumMismatchIsRefused() {
        FrameCodec checked = new FrameCodec(pool, FrameCodec.DEFAULT_MAX_FRAME_SIZE, true, 0);
        FrameBuilder b = checked.start(FrameType.REQUEST, 5, 1, RpcStatus.OK).header(Headers.SERVICE, "s");
        b.body().writeInt32(42);
        byte[] frame = ProtocolVectorTests.bytes(b.finish());
        frame[frame.length - 1] ^= 0x01; // flip one bit of the body
        FrameDecoder decoder = checked.newDecoder();
        assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> decoder.decode(ByteBuffer.wrap(frame), f -> { }))
                .withMessageStartingWith("checksum mismatch in REQUEST frame 5: header says 0x");
        decoder.close();
    }

    @Test
    void corruptCompressedBodyIsRefused() throws Exception {
        byte[] frame = ProtocolVectorTests.vector("compressed-response");
        frame[frame.length - 3] ^= 0x55; // damage the zlib stream (the checksum must be recomputed to get there)
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(frame, 0, 24);
        crc.update(frame, 28, frame.length - 28);
        ByteBuffer.wrap(frame).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(24, (int) crc.getValue());
        // the stream is inflated by whoever reads the body (off the I/O loop), and refused there
        FrameDecoder decoder = new FrameCodec(pool).newDecoder();
        List<Frame> frames = new ArrayList<>();
        decoder.decode(ByteBuffer.wrap(frame), frames::add);
        assertThat(frames).hasSize(1);
        assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> frames.get(0).bodyReader())
                .withMessageStartingWith("compressed body");
        frames.get(0).release();
        decoder.close();
    }

    @Test
    void truncatedInputWaitsForTheRestAndReleasesItOnClose() {
        byte[] frame = ProtocolVectorTests.bytes(new FrameCodec(pool).start(FrameType.REQUEST, 1, 1, RpcStatus.OK)
                .header(Headers.SERVICE, "svc").finish());
        FrameDecoder decoder = new FrameCodec(pool).newDecoder();
        List<Frame> out = new ArrayList<>();
        decoder.decode(ByteBuffer.wrap(frame, 0, frame.length - 1), out::add);
        assertThat(out).isEmpty();
        assertThat(decoder.hasPartialFrame()).isTrue();
        assertThat(pool.inUse()).isEqualTo(1);
        decoder.close();
        assertThat(pool.inUse()).isZero();
    }

    @Test
    void malformedHeaderEntriesAreRefused() {
        byte[] frame = heartbeat();
        ByteBuffer.wrap(frame).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(16, 3);
        byte[] withEntries = java.util.Arrays.copyOf(frame, frame.length + 3);
        withEntries[24] = 1; // service
        withEntries[25] = 9; // a 9-byte string in a 3-byte header
        withEntries[26] = 'x';
        assertRefusedStartingWith(withEntries, "malformed header entries: need 9 bytes at offset 2, only 1 left");
    }

    @Property(tries = 200)
    void randomBytesGiveAProtocolExceptionOrWaitNeverAnythingElse(@ForAll long seed) {
        Random random = new Random(seed);
        byte[] bytes = new byte[random.nextInt(200)];
        random.nextBytes(bytes);
        if (bytes.length > 4 && random.nextBoolean()) { // a plausible prefix, to reach the later checks
            bytes[0] = 0x52;
            bytes[1] = 0x42;
            bytes[2] = 1;
            bytes[3] = (byte) (1 + random.nextInt(5));
            bytes[4] = (byte) random.nextInt(8);
        }
        FrameDecoder decoder = new FrameCodec(pool, 4096, false, 0).newDecoder();
        try {
            decoder.decode(ByteBuffer.wrap(bytes), Frame::release);
        } catch (ProtocolException expected) {
            // the one acceptable failure
        } finally {
            decoder.close();
        }
    }

    private byte[] heartbeat() {
        return ProtocolVectorTests.bytes(new FrameCodec(pool).start(FrameType.HEARTBEAT, 1, 0, RpcStatus.OK).finish());
    }

    private static byte[] patch(byte[] frame, int index, int value) {
        frame[index] = (byte) value;
        return frame;
    }

    private void assertRefused(byte[] frame, String message) {
        FrameDecoder decoder = new FrameCodec(pool).newDecoder();
        assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> decoder.decode(ByteBuffer.wrap(frame), f -> { }))
                .withMessage(message);
        decoder.close();
    }

    private void assertRefusedStartingWith(byte[] frame, String prefix) {
        FrameDecoder decoder = new FrameCodec(pool).newDecoder();
        assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> decoder.decode(ByteBuffer.wrap(frame), f -> { }))
                .withMessageStartingWith(prefix);
        decoder.close();
    }
}
