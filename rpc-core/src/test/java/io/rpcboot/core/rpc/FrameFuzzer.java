package io.rpcboot.core.rpc;

import io.rpcboot.core.RpcMethod;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;

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
import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.internal.protocol.ProtocolException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import io.rpcboot.core.rpc.TestServices.Calculator;
import io.rpcboot.core.rpc.TestServices.DefaultCalculator;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import io.rpcboot.core.serialize.BinaryWriter;
import io.rpcboot.core.serialize.Serialization;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.serialize.TypeAllowList;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.awaitility.core.ConditionTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A mutation fuzzer for a live server's inbound side, over real sockets. Whatever bytes a peer
 * sends, every request must get exactly one answer or its connection must close, in bounded time.
 *
 * <pre>
 *  seeds: the protocol vectors, and requests for every method of the test services
 *         (binary and json, with and without checksum, compression, attachments, deadline)
 *    └─ mutate (seeded Random: the frames are a function of the seed)
 *         ├─ 60% body only            ┐ lengths and CRC32C fixed up: the frame boundary holds
 *         │  25% header entries only  ┘ ─► the shared connection, then a heartbeat sentinel;
 *         │       read until the sentinel's reply (and, for a request, its one response)
 *         │       or until the server closes the connection (then reconnect)
 *         └─ 15% anywhere, fixed header included ─► a fresh connection, shutdownOutput,
 *                 read until the server closes it
 * </pre>
 *
 * A read that sees neither an answer nor a close within {@value #READ_TIMEOUT_MILLIS} ms is a
 * failure, as is a malformed frame from the server, and, on the shared connection (where each write
 * is one frame), a second answer or an answer to another request. Single-threaded: one caller drives
 * {@link #run}. {@link #main} runs it for long.
 */
final class FrameFuzzer implements AutoCloseable {

    static final int READ_TIMEOUT_MILLIS = 5000;
    /**
     * The frame limit of the server under test: low enough that frames padded past it cost little to
     * send, high enough that compressed bodies meet the inflation ratio budget before it.
     */
    static final int SERVER_MAX_FRAME_SIZE = 1 << 20;
    /** A run stops after this many failures: each one costs a read timeout. */
    static final int MAX_FAILURES = 20;
    /** Sentinel heartbeats carry their frame's id with this bit set. */
    private static final long SENTINEL = 1L << 62;
    /** The fixed header (docs/protocol.md section 2). */
    private static final int HEADER_LENGTH_OFFSET = 16;
    private static final int BODY_LENGTH_OFFSET = 20;
    private static final int CRC_OFFSET = FrameCodec.HEADER_SIZE;
    private static final int FLAG_CHECKSUM = 0x02;
    private static final long FAR_DEADLINE = 4_102_444_800_000L; // 2100-01-01

    /** What a run did; counts accumulate over runs of the same fuzzer. */
    record Figures(long frames, long bodyFrames, long headerFrames, long anywhereFrames, long bodyDispatched,
                   long headerDispatched, long anywhereDispatched, Map<RpcStatus, Long> answers, long sharedCloses,
                   long freshCloses, long failures, long peakBytesLent, Duration elapsed) {

        long dispatched() {
            return bodyDispatched + headerDispatched + anywhereDispatched;
        }

        double framesPerSecond() {
            return frames / Math.max(1e-9, elapsed.toNanos() / 1e9);
        }

        @Override
        public String toString() {
            return String.format("%d frames in %.1f s (%.0f frames/s): body %d, header entries %d, anywhere %d;"
                            + " reached dispatch %d (%.1f%%: body %d, header entries %d, anywhere %d), answered %s;"
                            + " server closed the shared connection %d times and %d fresh ones; failures %d;"
                            + " peak bytes lent by the server's pool %d",
                    frames, elapsed.toNanos() / 1e9, framesPerSecond(), bodyFrames, headerFrames, anywhereFrames,
                    dispatched(), 100.0 * dispatched() / Math.max(1, frames), bodyDispatched, headerDispatched,
                    anywhereDispatched, answers, sharedCloses, freshCloses, failures, peakBytesLent);
        }
    }

    private record Seed(String name, byte[] frame) {
    }

    private final InetSocketAddress target;
    private final BufferPool serverPool;
    private final Random random;
    private final FrameMutator mutator;
    /** Decodes what the server sends; nothing it sends may be refused for size. */
    private final FrameCodec replies;
    private final byte[] sentinel;
    private final List<Seed> seeds;
    private final byte[] readBuffer = new byte[64 * 1024];
    private final List<String> failureReports = new ArrayList<>();
    private Socket shared;
    private FrameDecoder sharedDecoder;
    private long requestId;
    private long bodyFrames, headerFrames, anywhereFrames;
    private long bodyDispatched, headerDispatched, anywhereDispatched;
    private long sharedCloses, freshCloses, failures, peakBytesLent, elapsedNanos;
    /** When the run under way started ({@link System#nanoTime()}), 0 between runs. */
    private long runStart;
    private final Map<RpcStatus, Long> answers = new EnumMap<>(RpcStatus.class);

    /**
     * @param serverPool the server's buffer pool, whose lent bytes are sampled after every frame
     */
    FrameFuzzer(InetSocketAddress target, BufferPool serverPool, long seed) {
        this.target = target;
        this.serverPool = serverPool;
        this.random = new Random(seed);
        this.mutator = new FrameMutator(random);
        BufferPool own = BufferPool.builder().direct(false).build();
        this.replies = new FrameCodec(own, Integer.MAX_VALUE, false, 0);
        this.sentinel = bytes(replies.start(FrameType.HEARTBEAT, 0, 0, RpcStatus.OK).finish());
        this.seeds = seeds(own);
    }

    /**
     * Sends {@code frames} mutated frames (fewer if {@value #MAX_FAILURES} failures come first),
     * calling {@code check} after every {@code checkEvery} of them.
     */
    Figures run(int frames, int checkEvery, Runnable check) {
        runStart = System.nanoTime();
        for (int i = 1; i <= frames && failures < MAX_FAILURES; i++) {
            fuzzOne();
            if (checkEvery > 0 && i % checkEvery == 0) {
                check.run();
            }
        }
        elapsedNanos += System.nanoTime() - runStart;
        runStart = 0;
        return figures();
    }

    Figures figures() {
        long elapsed = elapsedNanos + (runStart == 0 ? 0 : System.nanoTime() - runStart);
        return new Figures(bodyFrames + headerFrames + anywhereFrames, bodyFrames, headerFrames, anywhereFrames,
                bodyDispatched, headerDispatched, anywhereDispatched, new EnumMap<>(answers), sharedCloses, freshCloses,
                failures, peakBytesLent, Duration.ofNanos(elapsed));
    }

    /** The first {@value #MAX_FAILURES} failures: the frame, its seed and mutations, what went wrong. */
    List<String> failureReports() {
        return List.copyOf(failureReports);
    }

    private void fuzzOne() {
        long id = ++requestId;
        Seed seed = seeds.get(random.nextInt(seeds.size()));
        byte[] frame = seed.frame().clone();
        putLong(frame, 8, id);
        FrameMutator.fixChecksum(frame);
        StringBuilder trace = new StringBuilder(seed.name()).append(':');
        int dice = random.nextInt(100);
        if (dice < 60) {
            bodyFrames++;
            if (onShared(mutator.body(frame, trace), id, trace.insert(0, "body mutation of "))) {
                bodyDispatched++;
            }
        } else if (dice < 85) {
            headerFrames++;
            if (onShared(mutator.headerEntries(frame, trace), id, trace.insert(0, "header-entries mutation of "))) {
                headerDispatched++;
            }
        } else {
            anywhereFrames++;
            if (onFreshConnection(mutator.anywhere(frame, trace), trace.insert(0, "mutation anywhere of "))) {
                anywhereDispatched++;
            }
        }
        peakBytesLent = Math.max(peakBytesLent, serverPool.bytesInUse());
    }

    /**
     * A frame whose boundary holds, then a sentinel heartbeat, on the shared connection. True if the
     * server answered it (it reached dispatch).
     */
    private boolean onShared(byte[] frame, long id, CharSequence trace) {
        byte[] out = Arrays.copyOf(frame, frame.length + sentinel.length);
        System.arraycopy(sentinel, 0, out, frame.length, sentinel.length);
        putLong(out, frame.length + 8, id | SENTINEL);
        Exchange x = new Exchange(id, id | SENTINEL, true);
        int split = splitPoint(out.length);
        try {
            writeShared(out, split);
            boolean request = frame[3] == FrameType.REQUEST.code();
            InputStream in = shared.getInputStream();
            while (!x.sentinelAnswered || (request && x.answers == 0)) {
                int n = in.read(readBuffer);
                if (n < 0) {
                    serverClosedShared();
                    break;
                }
                sharedDecoder.decode(ByteBuffer.wrap(readBuffer, 0, n), x);
            }
        } catch (SocketTimeoutException e) {
            fail(trace, frame, "no answer and no close within " + READ_TIMEOUT_MILLIS + " ms");
            dropShared();
        } catch (ProtocolException e) {
            fail(trace, frame, "the server sent a malformed frame: " + e.getMessage());
            dropShared();
        } catch (IOException e) { // reset by the server as it closed
            serverClosedShared();
        }
        x.verify(trace, frame);
        return x.answers > 0;
    }

    /** Writes on the shared connection, opening one if needed, and once more if the server had closed it. */
    private void writeShared(byte[] out, int split) throws IOException {
        for (int attempt = 1; ; attempt++) {
            if (shared == null) {
                shared = connect();
                sharedDecoder = replies.newDecoder();
            }
            try {
                write(shared, out, split);
                return;
            } catch (SocketException e) { // closed by the server after the previous frame settled
                serverClosedShared();
                if (attempt == 2) {
                    throw e;
                }
            }
        }
    }

    /** A frame that may break framing, alone on a new connection. True if the server answered it. */
    private boolean onFreshConnection(byte[] frame, CharSequence trace) {
        long id = frame.length >= 16 ? ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).getLong(8) : -1;
        Exchange x = new Exchange(id, 0, false);
        int split = splitPoint(frame.length);
        FrameDecoder decoder = replies.newDecoder();
        try (Socket socket = connect()) {
            try {
                write(socket, frame, split);
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                if (frame.length > 0 && frame[0] >= 'A' && frame[0] <= 'Z' && frame[0] != 'R') {
                    // a first byte that starts an HTTP method: the port reads HTTP, and what is no HTTP
                    // request is answered with an HTTP error and a close (or just closed, if incomplete)
                    byte[] answer = in.readAllBytes();
                    String head = new String(answer, 0, Math.min(answer.length, 13), StandardCharsets.ISO_8859_1);
                    if (answer.length > 0 && !head.matches("HTTP/1\\.1 [45]\\d\\d ")) {
                        fail(trace, frame, "an HTTP request that is not one was answered with " + head);
                    }
                    freshCloses++;
                    return false;
                }
                for (int n; (n = in.read(readBuffer)) >= 0; ) {
                    decoder.decode(ByteBuffer.wrap(readBuffer, 0, n), x);
                }
            } catch (SocketTimeoutException e) {
                fail(trace, frame, "no close within " + READ_TIMEOUT_MILLIS + " ms after the client shut its output");
            } catch (ProtocolException e) {
                fail(trace, frame, "the server sent a malformed frame: " + e.getMessage());
            } catch (SocketException e) { // reset by the server as it closed
            }
            socket.setSoLinger(true, 0); // closed by the server already: no TIME_WAIT on either side
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up a connection to " + target, e);
        } finally {
            decoder.close();
        }
        freshCloses++;
        x.verify(trace, frame);
        return x.answers > 0;
    }

    /** Where to cut a write in two, one time in eight (so the server also reads frames in parts), else 0. */
    private int splitPoint(int length) {
        return random.nextInt(8) == 0 && length > 1 ? 1 + random.nextInt(length - 1) : 0;
    }

    private static void write(Socket socket, byte[] bytes, int split) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes, 0, split);
        out.flush();
        out.write(bytes, split, bytes.length - split);
    }

    /** A new connection; failing to open one is no outcome of a frame, and ends the run. */
    private Socket connect() {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            s.connect(target, READ_TIMEOUT_MILLIS);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to the server at " + target, e);
        }
    }

    private void serverClosedShared() {
        sharedCloses++;
        dropShared();
    }

    private void dropShared() {
        if (shared == null) {
            return;
        }
        sharedDecoder.close();
        try {
            shared.setSoLinger(true, 0);
            shared.close();
        } catch (IOException e) {
            // closing a socket the server already dropped: nothing left to release
        }
        shared = null;
    }

    private void fail(CharSequence trace, byte[] frame, String what) {
        failures++;
        if (failureReports.size() < MAX_FAILURES) {
            String hex = HexFormat.of().formatHex(frame, 0, Math.min(frame.length, 160));
            failureReports.add(what + " — " + trace + " — " + frame.length + " bytes: " + hex
                    + (frame.length > 160 ? "..." : ""));
        }
    }

    /** Closes the shared connection. */
    @Override
    public void close() {
        dropShared();
    }

    /** What the server sent back for one frame. */
    private final class Exchange implements Consumer<Frame> {
        private final long id;
        private final long sentinelId;
        /**
         * Whether the frame is known to be one frame: a second answer, or an answer to another id, is
         * then an error. Not for a mutation anywhere: its bytes may hold several frames, any ids.
         */
        private final boolean strict;
        int answers;
        boolean sentinelAnswered;
        String unexpected;

        Exchange(long id, long sentinelId, boolean strict) {
            this.id = id;
            this.sentinelId = sentinelId;
            this.strict = strict;
        }

        @Override
        public void accept(Frame frame) {
            try {
                if (frame.type() == FrameType.RESPONSE) {
                    if (frame.requestId() == id) {
                        answers++;
                        FrameFuzzer.this.answers.merge(frame.status(), 1L, Long::sum);
                    } else if (strict && unexpected == null) {
                        unexpected = "a response to request " + frame.requestId() + " arrived while " + id
                                + " was the only one outstanding: " + frame;
                    }
                } else if (frame.type() == FrameType.HEARTBEAT && frame.isHeartbeatReply()
                        && frame.requestId() == sentinelId) {
                    sentinelAnswered = true;
                }
            } finally {
                frame.release();
            }
        }

        void verify(CharSequence trace, byte[] frame) {
            if (strict && answers > 1) {
                fail(trace, frame, "answered " + answers + " times");
            }
            if (unexpected != null) {
                fail(trace, frame, unexpected);
            }
        }
    }

    // ---- seeds

    private List<Seed> seeds(BufferPool own) {
        List<Seed> all = vectors();
        Serializations serializations = Serializations.defaults(new TypeAllowList()
                .allowReachableFrom(Calculator.class).allowReachableFrom(Echo.class));
        Serialization binary = serializations.byName("binary");
        Serialization json = serializations.byName("json");
        FrameCodec[] codecs = {new FrameCodec(own), new FrameCodec(own, FrameCodec.DEFAULT_MAX_FRAME_SIZE, true, 0),
                new FrameCodec(own, FrameCodec.DEFAULT_MAX_FRAME_SIZE, false, 32),
                new FrameCodec(own, FrameCodec.DEFAULT_MAX_FRAME_SIZE, true, 32)};
        for (Class<?> service : List.of(Calculator.class, Echo.class)) {
            List<Method> methods = new ArrayList<>(List.of(service.getMethods()));
            methods.sort(Comparator.comparing(RpcMethod::signatureOf)); // getMethods() has no fixed order
            for (Method m : methods) {
                for (int i = 0; i < 8; i++) {
                    FrameCodec codec = codecs[random.nextInt(codecs.length)];
                    all.add(request(FrameType.REQUEST, service, m, i < 6 ? binary : json, codec));
                }
            }
        }
        Method reset = methodOf(Calculator.class, "reset");
        all.add(request(FrameType.ONE_WAY, Calculator.class, reset, binary, codecs[0]));
        all.add(request(FrameType.ONE_WAY, Calculator.class, reset, binary, codecs[1]));
        return all;
    }

    private Seed request(FrameType type, Class<?> service, Method method, Serialization serialization,
                         FrameCodec codec) {
        String signature = RpcMethod.signatureOf(method);
        FrameBuilder b = codec.start(type, 0, serialization.id(), RpcStatus.OK).header(Headers.SERVICE, service.getName())
                .header(Headers.METHOD, signature);
        StringBuilder name = new StringBuilder(service.getSimpleName()).append('.').append(signature).append(' ')
                .append(serialization.name()).append(type == FrameType.ONE_WAY ? " one-way" : "");
        if (random.nextInt(4) == 0) {
            b.header(Headers.DEADLINE, FAR_DEADLINE);
        }
        if (random.nextInt(4) == 0) {
            b.header("tenant", text());
            name.append(" +attachment");
        }
        if (random.nextInt(8) == 0) {
            b.header(Headers.TRACEPARENT, "00-" + hex(16) + "-" + hex(8) + "-01");
        }
        BinaryWriter body = b.body();
        for (Type p : method.getGenericParameterTypes()) {
            serialization.codec(p).write(body, sample(p));
        }
        byte[] frame = bytes(b.finish());
        name.append(codec.checksum() ? " +crc" : "").append((frame[4] & 0x01) != 0 ? " +deflate" : "");
        return new Seed(name.toString(), frame);
    }

    private Object sample(Type type) {
        if (type == int.class) {
            return random.nextInt(5) == 0 ? random.nextInt() : random.nextInt(100) - 50;
        } else if (type == long.class) {
            return random.nextInt(5) == 0 ? random.nextLong() : random.nextInt(1000);
        } else if (type == String.class) {
            return random.nextInt(8) == 0 ? null : text();
        } else if (type == byte[].class) {
            byte[] payload = new byte[random.nextInt(4) == 0 ? 200 + random.nextInt(2000) : random.nextInt(64)];
            if (random.nextBoolean()) {
                random.nextBytes(payload);
            } else {
                Arrays.fill(payload, (byte) random.nextInt(256)); // compressible
            }
            return payload;
        } else if (type instanceof ParameterizedType p && p.getRawType() == Map.class) {
            Map<String, Integer> map = new LinkedHashMap<>();
            for (int i = random.nextInt(5); i > 0; i--) {
                map.put(text(), random.nextInt(6) == 0 ? null : random.nextInt(1000));
            }
            return map;
        }
        throw new IllegalArgumentException("no sample values for " + type);
    }

    private String text() {
        return switch (random.nextInt(4)) {
            case 0 -> "a".repeat(50 + random.nextInt(400));
            case 1 -> "héllo → 𝄞 " + random.nextInt(100);
            default -> hex(random.nextInt(12));
        };
    }

    private String hex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static Method methodOf(Class<?> service, String name) {
        return Arrays.stream(service.getMethods()).filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
    }

    /**
     * Every vector of docs/protocol.md (requests, responses, a heartbeat), from the test resources
     * that ProtocolVectorTests checks against the doc, in name order.
     */
    private static List<Seed> vectors() {
        URL directory = FrameFuzzer.class.getResource("/protocol-vectors");
        if (directory == null) {
            throw new IllegalStateException("no protocol-vectors directory on the class path");
        }
        List<Seed> vectors = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(directory.toURI()))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".hex")).sorted().toList()) {
                String name = file.getFileName().toString().replace(".hex", "");
                vectors.add(new Seed("vector " + name, HexFormat.of().parseHex(Files.readString(file).strip())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the protocol vectors in " + directory, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return vectors;
    }

    private static byte[] bytes(PooledBuffer buffer) {
        byte[] out = new byte[buffer.buffer().remaining()];
        buffer.buffer().get(out);
        buffer.release();
        return out;
    }

    private static void putLong(byte[] b, int offset, long v) {
        for (int i = 0; i < 8; i++) {
            b[offset + i] = (byte) (v >>> (8 * i));
        }
    }

    // ---- mutations

    /** Mutates frames with a shared Random; lengths and checksum fixed up where the class keeps the boundary. */
    static final class FrameMutator {
        private static final long[] INTERESTING_INTS = {0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
                1024, 8192, 8193, 16 << 20, (16 << 20) + 1, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL, -1L, Long.MIN_VALUE};
        private static final byte[] RUN_BYTES = {0x00, (byte) 0xFF, 0x5B, 0x01, 0x02, (byte) 0x80};
        private static final List<byte[]> BODY_VALUES = bodyValues();
        private static final List<byte[]> HEADER_VALUES = headerValues();
        private static final List<byte[]> ALL_VALUES = concat(BODY_VALUES, HEADER_VALUES);

        private final Random random;

        FrameMutator(Random random) {
            this.random = random;
        }

        /** Mutates the body; the fixed header and the header entries stay as they are. */
        byte[] body(byte[] frame, StringBuilder trace) {
            int fixed = fixedSize(frame);
            int h = u32(frame, HEADER_LENGTH_OFFSET);
            byte[] entries = Arrays.copyOfRange(frame, fixed, fixed + h);
            byte[] body = havoc(Arrays.copyOfRange(frame, fixed + h, frame.length), BODY_VALUES, trace);
            if (random.nextInt(64) == 0) {
                // at the server's frame limit (accepted), or past it (a request: answered, its body skipped)
                int[] overLimit = {-1, 0, 1, 1 + random.nextInt(4096)};
                int size = SERVER_MAX_FRAME_SIZE + overLimit[random.nextInt(overLimit.length)];
                body = Arrays.copyOf(body, Math.max(body.length, size - fixed - h));
                trace.append(" pad-to-").append(size);
            }
            return assemble(frame, entries, body);
        }

        /** Mutates the header entries; the fixed header and the body stay as they are. */
        byte[] headerEntries(byte[] frame, StringBuilder trace) {
            int fixed = fixedSize(frame);
            int h = u32(frame, HEADER_LENGTH_OFFSET);
            byte[] entries = Arrays.copyOfRange(frame, fixed, fixed + h);
            byte[] body = Arrays.copyOfRange(frame, fixed + h, frame.length);
            return assemble(frame, havoc(entries, HEADER_VALUES, trace), body);
        }

        /** Mutates any byte, lengths, magic, type and flags included; the checksum is fixed half the time. */
        byte[] anywhere(byte[] frame, StringBuilder trace) {
            byte[] b = frame;
            if (random.nextBoolean()) {
                b = fixedField(b.clone(), trace);
            }
            if (b == frame || random.nextBoolean()) {
                b = havoc(b, ALL_VALUES, trace);
            }
            if (random.nextBoolean()) {
                fixChecksum(b);
                trace.append(" +crc");
            }
            return b;
        }

        private byte[] fixedField(byte[] b, StringBuilder trace) {
            switch (random.nextInt(7)) {
                case 0, 1 -> {
                    int offset = random.nextBoolean() ? HEADER_LENGTH_OFFSET : BODY_LENGTH_OFFSET;
                    long v = interestingLength(u32(b, offset));
                    putU32(b, offset, v);
                    trace.append(" u32@").append(offset).append('=').append(v);
                }
                case 2 -> {
                    b[3] = (byte) random.nextInt(8);
                    trace.append(" type=").append(b[3]);
                }
                case 3 -> {
                    b[4] = (byte) (random.nextBoolean() ? random.nextInt(8) : random.nextInt(256));
                    trace.append(" flags=").append(b[4] & 0xFF);
                }
                case 4 -> {
                    b[5] = (byte) random.nextInt(4);
                    b[6] = (byte) random.nextInt(10);
                    trace.append(" serialization=").append(b[5]).append(" status=").append(b[6]);
                }
                default -> {
                    int p = random.nextInt(8);
                    b[p] = (byte) random.nextInt(256);
                    trace.append(" byte@").append(p).append('=').append(b[p] & 0xFF);
                }
            }
            return b;
        }

        private long interestingLength(long current) {
            long[] choices = {0, 1, current - 1, current + 1, current + 16, current * 2, 8192, 8193, (16 << 20) - 24,
                    16 << 20, 0x7FFFFFFFL, 0xFFFFFFFFL, random.nextInt(1 << 16)};
            return choices[random.nextInt(choices.length)] & 0xFFFFFFFFL;
        }

        /** One mutation, or a stack of two to four one time in four. */
        private byte[] havoc(byte[] region, List<byte[]> values, StringBuilder trace) {
            byte[] b = region;
            int ops = random.nextInt(4) == 0 ? 2 + random.nextInt(3) : 1;
            for (int i = 0; i < ops; i++) {
                b = mutateOnce(b, values, trace);
            }
            return b;
        }

        private byte[] mutateOnce(byte[] b, List<byte[]> values, StringBuilder trace) {
            int op = random.nextInt(10);
            if (b.length == 0 && op < 4) {
                op = 4; // nothing to flip, set or delete: insert
            }
            int p = b.length == 0 ? 0 : random.nextInt(b.length);
            switch (op) {
                case 0 -> {
                    b = b.clone();
                    int bit = random.nextInt(8);
                    b[p] ^= (byte) (1 << bit);
                    trace.append(" flip@").append(p).append('.').append(bit);
                }
                case 1 -> {
                    b = b.clone();
                    for (int i = 1 + random.nextInt(4); i > 0; i--) {
                        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                    }
                    trace.append(" set-random");
                }
                case 2 -> {
                    long v = INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
                    int width = 1 << random.nextInt(4);
                    byte[] le = new byte[width];
                    for (int i = 0; i < width; i++) {
                        le[i] = (byte) (v >>> (8 * i));
                    }
                    b = overwrite(b, p, le);
                    trace.append(" int").append(width * 8).append('@').append(p).append('=').append(v);
                }
                case 3 -> {
                    int n = 1 + random.nextInt(random.nextInt(8) == 0 ? 512 : 16);
                    n = Math.min(n, b.length - p);
                    b = splice(b, p, n, new byte[0]);
                    trace.append(" delete@").append(p).append('x').append(n);
                }
                case 4 -> {
                    int at = random.nextInt(b.length + 1);
                    byte[] run = new byte[1 + random.nextInt(random.nextInt(8) == 0 ? 4096 : 16)];
                    if (random.nextBoolean()) {
                        random.nextBytes(run);
                    } else {
                        Arrays.fill(run, RUN_BYTES[random.nextInt(RUN_BYTES.length)]);
                    }
                    b = splice(b, at, 0, run);
                    trace.append(" insert@").append(at).append('x').append(run.length);
                }
                case 5 -> {
                    int k = random.nextInt(values.size());
                    b = values.get(k).clone();
                    trace.append(" replace-with-value#").append(k);
                }
                case 6 -> {
                    int k = random.nextInt(values.size());
                    int at = random.nextInt(b.length + 1);
                    b = splice(b, at, 0, values.get(k));
                    trace.append(" insert-value#").append(k).append('@').append(at);
                }
                case 7 -> {
                    int k = random.nextInt(values.size());
                    b = overwrite(b, p, values.get(k));
                    trace.append(" overwrite-value#").append(k).append('@').append(p);
                }
                case 8 -> {
                    int n = b.length == 0 ? 0 : 1 + random.nextInt(Math.min(b.length, 256));
                    int from = b.length == 0 ? 0 : random.nextInt(b.length - n + 1);
                    int at = random.nextInt(b.length + 1);
                    b = splice(b, at, 0, Arrays.copyOfRange(b, from, from + n));
                    trace.append(" duplicate@").append(from).append('x').append(n).append("->").append(at);
                }
                default -> {
                    int keep = random.nextInt(b.length + 1);
                    b = Arrays.copyOf(b, keep);
                    trace.append(" truncate@").append(keep);
                }
            }
            return b;
        }

        private static byte[] overwrite(byte[] b, int at, byte[] value) {
            byte[] out = Arrays.copyOf(b, Math.max(b.length, at + value.length));
            System.arraycopy(value, 0, out, at, value.length);
            return out;
        }

        private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
            byte[] out = new byte[b.length - remove + insert.length];
            System.arraycopy(b, 0, out, 0, at);
            System.arraycopy(insert, 0, out, at, insert.length);
            System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
            return out;
        }

        /** The frame's fixed header with new header entries and body, lengths and checksum made right. */
        private static byte[] assemble(byte[] frame, byte[] entries, byte[] body) {
            int fixed = fixedSize(frame);
            byte[] out = new byte[fixed + entries.length + body.length];
            System.arraycopy(frame, 0, out, 0, fixed);
            System.arraycopy(entries, 0, out, fixed, entries.length);
            System.arraycopy(body, 0, out, fixed + entries.length, body.length);
            putU32(out, HEADER_LENGTH_OFFSET, entries.length);
            putU32(out, BODY_LENGTH_OFFSET, body.length);
            fixChecksum(out);
            return out;
        }

        /** With the checksum flag, recomputes the CRC32C: bytes 0..23, then everything after the 28-byte header. */
        static void fixChecksum(byte[] f) {
            if (f.length < CRC_OFFSET + 4 || (f[4] & FLAG_CHECKSUM) == 0) {
                return;
            }
            CRC32C crc = new CRC32C();
            crc.update(f, 0, CRC_OFFSET);
            crc.update(f, CRC_OFFSET + 4, f.length - CRC_OFFSET - 4);
            putU32(f, CRC_OFFSET, crc.getValue());
        }

        private static int fixedSize(byte[] frame) {
            return (frame[4] & FLAG_CHECKSUM) != 0 ? CRC_OFFSET + 4 : FrameCodec.HEADER_SIZE;
        }

        private static int u32(byte[] b, int at) {
            return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
        }

        private static void putU32(byte[] b, int at, long v) {
            for (int i = 0; i < 4; i++) {
                b[at + i] = (byte) (v >>> (8 * i));
            }
        }

        /** Bodies that go for the budgets: huge counts, type tags, nesting, inflation. */
        private static List<byte[]> bodyValues() {
            return List.of(new byte[0],
                    cat(0x01, varint(0x7FFFFFFF)),
                    varint(0x7FFFFFFF),
                    cat(0xFF, 0xFF, 0xFF, 0xFF, 0x0F),
                    cat(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), // varint too long
                    repeat(new byte[]{(byte) 0xFF}, 64),
                    repeat(new byte[]{0x5B}, 2000),
                    cat(0x02, str("[".repeat(256) + "I")),
                    cat(0x02, str("[".repeat(300) + "Ljava.lang.String;")),
                    cat(0x02, str("a".repeat(1100))),
                    cat(0x02, str("java.lang.Runtime"), 0x01),
                    cat(0x02, str("java.lang.ProcessBuilder"), 0x01, varint(1), 0x01, str("id")),
                    cat(0x02, str("java.lang.String"), str("x")),
                    cat(0x02, str("java.util.Map"), varint(0x7FFFFFFF)),
                    cat(0x02, str("[I"), varint(0x7FFFFFFF)),
                    repeat(new byte[]{0x01}, 1000),
                    repeat(new byte[]{0x01, 0x01}, 600), // marker + count 1, nested
                    repeat(new byte[]{0x01, 0x02, 0x01, 0x01}, 400),
                    cat(0x01, varint(3), fnv("name"), 0xFF, 0xFF, 0xFF, 0x7F, 0x01),
                    cat(0x01, varint(0x10000), repeat(cat(fnv("x"), 0x04, 0, 0, 0, 1, 0, 0, 0), 3)),
                    zlib(1 << 20, 1 << 20), // a lot of zeros, announced honestly
                    zlib(16 << 20, 16 << 20),
                    zlib(100, 1 << 20), // inflates past what it announces
                    cat(0xFF, 0xFF, 0xFF, 0x7F, 0x78, 0x9C),
                    cat(str("[".repeat(5000))), // json: deep nesting
                    cat(str("{\"a\":".repeat(1000))),
                    cat(str("1e999999999")),
                    cat(str("\"\\uD800\"")),
                    cat(str("[" + "1,".repeat(3000) + "1]")));
        }

        /** Header entries that go for the budgets and the parser: ids, lengths, attachments, deadlines. */
        private static List<byte[]> headerValues() {
            List<byte[]> v = new ArrayList<>(List.of(
                    cat(varint(-1), str("x")),
                    cat(varint(0x7FFFFFFF), str("x")),
                    cat(0x07, str("from a newer peer")),
                    repeat(cat(0x00, str("k"), str("v")), 64),
                    repeat(cat(0x00, str("k"), str("v")), 65),
                    cat(0x00, str("k"), str("v".repeat(8000))),
                    cat(0x00, varint(0x7FFFFFFF)),
                    cat(0x01, varint(0x7FFFFFFF)),
                    cat(0x01, 0x04, 0xFF, 0xFE, 0xFD, 0xFC), // not UTF-8
                    cat(0x80, 0x80, 0x80),
                    repeat(new byte[]{0x00}, 100),
                    cat(0x01, str(Calculator.class.getName())),
                    cat(0x01, str(Echo.class.getName())),
                    cat(0x01, str("")),
                    cat(0x03, str("9.9.9")),
                    cat(0x04, str("blue")),
                    cat(0x06, str("00-zz-01"))));
            for (String signature : List.of("add(int,int)", "add(java.lang.String,java.lang.String)", "echo(byte[])",
                    "whoAmI()", "reset()", "items(java.util.Map,java.lang.String)", "divide(int,int)", "nope()")) {
                v.add(cat(0x02, str(signature)));
            }
            for (String deadline : List.of("0", "1", "-1", "abc", "00012", "", "999999999999999999",
                    "99999999999999999999", "4102444800000")) {
                v.add(cat(0x05, str(deadline)));
            }
            return List.copyOf(v);
        }

        private static byte[] zlib(int announced, int zeros) {
            Deflater deflater = new Deflater();
            deflater.setInput(new byte[zeros]);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            while (!deflater.finished()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
            deflater.end();
            return cat(announced & 0xFF, announced >>> 8 & 0xFF, announced >>> 16 & 0xFF, announced >>> 24,
                    out.toByteArray());
        }

        private static byte[] fnv(String field) {
            int h = 0x811C9DC5;
            for (byte b : field.getBytes(StandardCharsets.UTF_8)) {
                h = (h ^ (b & 0xFF)) * 0x01000193;
            }
            return cat(h & 0xFF, h >>> 8 & 0xFF, h >>> 16 & 0xFF, h >>> 24);
        }

        private static byte[] str(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            return cat(varint(utf8.length), utf8);
        }

        private static byte[] varint(int v) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while ((v & ~0x7F) != 0) {
                out.write((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write(v);
            return out.toByteArray();
        }

        private static byte[] repeat(byte[] unit, int times) {
            byte[] out = new byte[unit.length * times];
            for (int i = 0; i < times; i++) {
                System.arraycopy(unit, 0, out, i * unit.length, unit.length);
            }
            return out;
        }

        /** Concatenates byte arrays and single bytes given as ints. */
        private static byte[] cat(Object... parts) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Object p : parts) {
                if (p instanceof byte[] b) {
                    out.writeBytes(b);
                } else {
                    out.write((Integer) p);
                }
            }
            return out.toByteArray();
        }

        private static List<byte[]> concat(List<byte[]> a, List<byte[]> b) {
            List<byte[]> all = new ArrayList<>(a);
            all.addAll(b);
            return List.copyOf(all);
        }
    }

    // ---- the server under test

    /**
     * The server under test, on its own event loops (so that failures reaching a loop are counted)
     * and buffer pool, and a normal client beside it with a pool of its own (so that the server's
     * pool counts only what the server holds).
     */
    static final class Target implements AutoCloseable {
        final BufferPool serverPool = BufferPool.createDefault();
        final BufferPool clientPool = BufferPool.createDefault();
        final EventLoopGroup boss = new EventLoopGroup("fuzz-boss", 1, true);
        final EventLoopGroup workers = new EventLoopGroup("fuzz-io", 2, true);
        final RpcServer server;
        final RpcClient client;
        private final Calculator calculator;
        private final Echo echo;

        Target() {
            PeerLimits limits = PeerLimits.builder().frameTimeout(Duration.ofMillis(500))
                    .maxHeartbeatsPerSecond(1_000_000) // a sentinel heartbeat follows every fuzzed frame
                    .build();
            ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).workerThreads(8)
                    .maxAcceptsPerSecond(100_000).maxConnectionsPerAddress(10_000).maxFrameSize(SERVER_MAX_FRAME_SIZE)
                    .peerLimits(limits).build();
            server = RpcServer.builder().config(config).metrics(RpcMetrics.simple())
                    .resources(TestResources.parts(serverPool).serverLoops(boss, workers).build()).service(Echo.class, new PromptEcho())
                    .service(Calculator.class, new DefaultCalculator()).start();
            String address = "127.0.0.1:" + server.port();
            client = RpcClient.builder().config(ClientConfig.builder().ioThreads(1).build()).resources(TestResources.parts(clientPool).build())
                    .staticInstances(Calculator.class, address).staticInstances(Echo.class, address).build();
            calculator = client.create(Calculator.class);
            echo = client.create(Echo.class);
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.address(); // over TCP
        }

        /** Normal calls on the normal client's connection. */
        void assertServesNormalCalls() {
            assertThat(calculator.add("fuzz", "ed")).isEqualTo("fuzzed");
            assertThat(calculator.add(2, 3)).isEqualTo(5);
            assertThat(echo.echo(new byte[]{1, 2, 3})).containsExactly(1, 2, 3);
        }

        long escapedFailures() {
            return boss.escapedFailures() + workers.escapedFailures();
        }

        @Override
        public void close() {
            client.close();
            server.stop(Duration.ofSeconds(5));
            boss.close();
            workers.close();
        }
    }

    /** An Echo whose slow methods do not wait: a mutated argument must not park a worker for hours. */
    static final class PromptEcho extends NamedEcho {
        PromptEcho() {
            super("fuzz", 0);
        }

        @Override
        public String slow(long millis) {
            return name;
        }
    }

    /**
     * {@code FrameFuzzer [frames] [seed]}: fuzzes a server in this JVM, prints the figures, the
     * failures and the server's state afterwards; exits with 1 if anything is wrong.
     */
    public static void main(String[] args) {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        List<String> problems = new ArrayList<>();
        try (Target target = new Target()) {
            try (FrameFuzzer fuzzer = new FrameFuzzer(target.address(), target.serverPool, seed)) {
                Figures figures = fuzzer.run(frames, 10_000, () -> {
                    target.assertServesNormalCalls();
                    if (fuzzer.figures().frames() % 100_000 == 0) {
                        System.out.println("  ... " + fuzzer.figures());
                    }
                });
                System.out.println("seed " + seed + ": " + figures);
                fuzzer.failureReports().forEach(f -> problems.add("failure: " + f));
            }
            target.assertServesNormalCalls();
            if (!settles(() -> target.server.inFlight() == 0)) {
                problems.add(target.server.inFlight() + " calls still in flight on the server");
            }
            target.client.close();
            if (!settles(() -> target.serverPool.inUse() == 0)) {
                problems.add(target.serverPool.inUse() + " server buffers not given back");
            }
            if (target.escapedFailures() > 0) {
                problems.add(target.escapedFailures() + " failures escaped to the event loops");
            }
        }
        problems.forEach(System.out::println);
        System.out.println(problems.isEmpty() ? "no problem found" : problems.size() + " problems");
        System.exit(problems.isEmpty() ? 0 : 1);
    }

    private static boolean settles(Callable<Boolean> condition) {
        try {
            await().atMost(Duration.ofSeconds(10)).until(condition);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }
}
