package io.rpcboot.benchmark.jmh;

import java.util.concurrent.TimeUnit;

import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/** Acquire + release of one pooled buffer, alone and with two threads sharing the pool. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BufferPoolBenchmark {

    @Param({"256", "4096"})
    public int size;

    private final BufferPool pool = BufferPool.createDefault();

    @Benchmark
    public int acquireRelease() {
        PooledBuffer b = pool.acquire(size);
        int c = b.buffer().capacity();
        b.release();
        return c;
    }

    @Benchmark
    @Threads(2)
    public int acquireReleaseContended() {
        return acquireRelease();
    }
}
