package io.rpcboot.benchmark.jmh;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.protocol.PooledWriter;
import io.rpcboot.core.serialize.BinaryReader;
import io.rpcboot.core.serialize.BinarySerialization;
import io.rpcboot.core.serialize.BinaryWriter;
import io.rpcboot.core.serialize.TypeAllowList;
import io.rpcboot.core.serialize.TypeCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The binary codec on a typical record: an order with three lines, an enum, an Optional and an Instant. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SerializerBenchmark {

    public enum Status { NEW, PAID }

    public record Line(String sku, int quantity, BigDecimal price) {
    }

    public record Order(long id, String customer, List<Line> lines, Status status, Optional<String> note, Instant at) {
    }

    private final BufferPool pool = BufferPool.createDefault();
    private TypeCodec<Object> codec;
    private Order order;
    private byte[] encoded;

    @Setup
    public void setUp() {
        codec = new BinarySerialization(new TypeAllowList()).codec(Order.class);
        order = new Order(42, "ada@example.com", List.of(new Line("book", 2, new BigDecimal("12.50")),
                new Line("pen", 3, new BigDecimal("1.20")), new Line("ink", 1, new BigDecimal("7.00"))),
                Status.PAID, Optional.of("gift"), Instant.parse("2026-11-25T10:00:00Z"));
        BinaryWriter w = BinaryWriter.heap(256);
        codec.write(w, order);
        encoded = w.toByteArray();
    }

    @Benchmark
    public int encode() {
        PooledWriter w = PooledWriter.start(pool, 256);
        codec.write(w, order);
        PooledBuffer b = w.finish();
        int n = b.readableBytes();
        b.release();
        return n;
    }

    @Benchmark
    public Object decode() {
        return codec.read(BinaryReader.of(encoded));
    }
}
