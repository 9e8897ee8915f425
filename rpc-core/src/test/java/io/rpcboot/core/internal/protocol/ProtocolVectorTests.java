package io.rpcboot.core.internal.protocol;

import io.rpcboot.core.RpcStatus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.serialize.BinaryReader;
import io.rpcboot.core.serialize.BinarySerialization;
import io.rpcboot.core.serialize.TypeAllowList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The test vectors of docs/protocol.md: encoded and decoded byte for byte, and the doc kept in step. */
class ProtocolVectorTests {

    record Point(int x, int y) {
    }

    private final BufferPool pool = BufferPool.createDefault();
    private final FrameCodec plain = new FrameCodec(pool);
    private final FrameCodec squeezed = new FrameCodec(pool, FrameCodec.DEFAULT_MAX_FRAME_SIZE, true, 64);
    private final BinarySerialization binary = new BinarySerialization(new TypeAllowList());

    @AfterEach
    void nothingLeaks() {
        assertThat(pool.inUse()).isZero();
    }

    @Test
    void requestWithTwoArguments() throws IOException {
        FrameBuilder b = plain.start(FrameType.REQUEST, 1, BinarySerialization.ID, RpcStatus.OK)
                .header(Headers.SERVICE, "com.example.Calculator").header(Headers.METHOD, "add(int,int)")
                .header(Headers.VERSION, "1.0.0").header(Headers.DEADLINE, "1795000000000");
        binary.codec(int.class).write(b.body(), 2);
        binary.codec(int.class).write(b.body(), 3);
        assertEncodesTo(b.finish(), "request-two-arguments");

        Frame f = decodeOne("request-two-arguments");
        assertThat(f.type()).isEqualTo(FrameType.REQUEST);
        assertThat(f.requestId()).isEqualTo(1);
        assertThat(f.serializationId()).isEqualTo(1);
        assertThat(f.headers()).containsExactly(Map.entry("service", "com.example.Calculator"),
                Map.entry("method", "add(int,int)"), Map.entry("version", "1.0.0"), Map.entry("deadline", "1795000000000"));
        BinaryReader body = f.bodyReader();
        assertThat(binary.codec(int.class).read(body)).isEqualTo(2);
        assertThat(binary.codec(int.class).read(body)).isEqualTo(3);
        f.release();
    }

    @Test
    void responseWithARecord() throws IOException {
        FrameBuilder b = plain.start(FrameType.RESPONSE, 1, BinarySerialization.ID, RpcStatus.OK);
        binary.codec(Point.class).write(b.body(), new Point(5, -1));
        assertEncodesTo(b.finish(), "response-record");

        Frame f = decodeOne("response-record");
        assertThat(f.status()).isEqualTo(RpcStatus.OK);
        assertThat(binary.codec(Point.class).read(f.bodyReader())).isEqualTo(new Point(5, -1));
        f.release();
    }

    @Test
    void errorResponse() throws IOException {
        FrameBuilder b = plain.start(FrameType.RESPONSE, 2, 0, RpcStatus.SERVICE_ERROR);
        new ErrorBody("java.lang.ArithmeticException", "/ by zero").writeTo(b.body());
        assertEncodesTo(b.finish(), "error-response");

        Frame f = decodeOne("error-response");
        assertThat(f.status()).isEqualTo(RpcStatus.SERVICE_ERROR);
        assertThat(ErrorBody.readFrom(f.bodyReader()))
                .isEqualTo(new ErrorBody("java.lang.ArithmeticException", "/ by zero"));
        f.release();
    }

    @Test
    void heartbeat() throws IOException {
        assertEncodesTo(plain.start(FrameType.HEARTBEAT, 7, 0, RpcStatus.OK).finish(), "heartbeat");
        Frame f = decodeOne("heartbeat");
        assertThat(f.type()).isEqualTo(FrameType.HEARTBEAT);
        assertThat(f.requestId()).isEqualTo(7);
        assertThat(f.isHeartbeatReply()).isFalse();
        assertThat(f.body().remaining()).isZero();
        f.release();

        PooledBuffer reply = plain.start(FrameType.HEARTBEAT, 7, 0, RpcStatus.OK).heartbeatReply().finish();
        byte[] bytes = bytes(reply);
        byte[] expected = vector("heartbeat");
        expected[4] = 0x04;
        assertThat(bytes).isEqualTo(expected);
    }

    @Test
    void compressedFrameWithChecksum() throws IOException {
        FrameBuilder b = squeezed.start(FrameType.RESPONSE, 3, BinarySerialization.ID, RpcStatus.OK);
        binary.codec(String.class).write(b.body(), "a".repeat(300));
        assertEncodesTo(b.finish(), "compressed-response");

        Frame f = decodeOne("compressed-response");
        assertThat(f.wasCompressed()).isTrue();
        assertThat(f.body().remaining()).isEqualTo(303);
        assertThat(binary.codec(String.class).read(f.bodyReader())).isEqualTo("a".repeat(300));
        f.release();
    }

    @Test
    void everyVectorInTheDocumentMatchesItsGoldenFile() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "protocol.md"));
        Matcher m = Pattern.compile("### Vector: (\\S+)\\s.*?```hex\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        List<String> seen = new ArrayList<>();
        while (m.find()) {
            String name = m.group(1);
            String hex = m.group(2).replaceAll("\\s", "");
            assertThat(hex).as("vector %s in docs/protocol.md", name).isEqualTo(HexFormat.of().formatHex(vector(name)));
            seen.add(name);
        }
        assertThat(seen).containsExactlyInAnyOrder("request-two-arguments", "response-record", "error-response",
                "heartbeat", "compressed-response");
    }

    private void assertEncodesTo(PooledBuffer frame, String vector) throws IOException {
        assertThat(HexFormat.of().formatHex(bytes(frame))).isEqualTo(HexFormat.of().formatHex(vector(vector)));
    }

    private Frame decodeOne(String vector) throws IOException {
        List<Frame> frames = new ArrayList<>();
        FrameDecoder decoder = plain.newDecoder();
        decoder.decode(ByteBuffer.wrap(vector(vector)), frames::add);
        assertThat(frames).hasSize(1);
        assertThat(decoder.hasPartialFrame()).isFalse();
        decoder.close();
        return frames.get(0);
    }

    static byte[] bytes(PooledBuffer buffer) {
        byte[] out = new byte[buffer.buffer().remaining()];
        buffer.buffer().get(out);
        buffer.release();
        return out;
    }

    static byte[] vector(String name) throws IOException {
        try (var in = ProtocolVectorTests.class.getResourceAsStream("/protocol-vectors/" + name + ".hex")) {
            assertThat(in).as("vector file %s", name).isNotNull();
            return HexFormat.of().parseHex(new String(in.readAllBytes()).strip());
        }
    }
}
