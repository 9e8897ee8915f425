package io.rpcboot.core.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;

import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.serialize.BinaryReader;
import org.junit.jupiter.api.Test;

class PooledWriterTests {

    @Test
    void pooledWriterGrowsAndHandsOverOneBuffer() {
        BufferPool pool = BufferPool.createDefault();
        PooledWriter w = PooledWriter.start(pool, 16);
        for (int i = 0; i < 10_000; i++) {
            w.writeInt32(i);
        }
        PooledBuffer out = w.finish();
        assertThat(pool.inUse()).isEqualTo(1);
        ByteBuffer bytes = out.buffer();
        assertThat(bytes.remaining()).isEqualTo(40_000);
        BinaryReader r = new BinaryReader(bytes);
        for (int i = 0; i < 10_000; i++) {
            assertThat(r.readInt32()).isEqualTo(i);
        }
        out.release();
        assertThat(pool.inUse()).isZero();

        PooledWriter discarded = PooledWriter.start(pool, 16);
        discarded.writeInt64(1);
        discarded.discard();
        assertThat(pool.inUse()).isZero();
    }
}
