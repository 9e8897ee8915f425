package io.rpcboot.benchmark.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.protocol.FrameBuilder;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.protocol.FrameDecoder;
import io.rpcboot.core.internal.protocol.FrameType;
import io.rpcboot.core.internal.protocol.Headers;
import io.rpcboot.core.RpcStatus;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** A request frame with the usual headers and a 64-byte body: built, then decoded. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FrameCodecBenchmark {

    private final BufferPool pool = BufferPool.createDefault();
    private final FrameCodec codec = new FrameCodec(pool);
    private final byte[] body = new byte[64];
    private final List<Frame> sink = new ArrayList<>(1);
    private FrameDecoder decoder;

    @Setup
    public void setUp() {
        decoder = codec.newDecoder();
    }

    private PooledBuffer build() {
        FrameBuilder b = codec.start(FrameType.REQUEST, 7, 1, RpcStatus.OK).header(Headers.SERVICE, "com.example.EchoService")
                .header(Headers.METHOD, "echo(byte[])").header(Headers.DEADLINE, 1_795_000_000_000L);
        b.body().writeRaw(body, 0, body.length);
        return b.finish();
    }

    @Benchmark
    public int encode() {
        PooledBuffer frame = build();
        int n = frame.readableBytes();
        frame.release();
        return n;
    }

    @Benchmark
    public long encodeAndDecode() {
        PooledBuffer frame = build();
        decoder.decode(frame.buffer(), sink::add);
        frame.release();
        Frame f = sink.remove(0);
        long id = f.requestId();
        f.release();
        return id;
    }
}
