package io.rpcboot.core.internal.buffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class BufferPoolTests {

    @Test
    void servesPowerOfTwoSizeClassesWithTheRequestedLimit() {
        BufferPool pool = BufferPool.createDefault();
        PooledBuffer small = pool.acquire(1);
        PooledBuffer exact = pool.acquire(1024);
        PooledBuffer between = pool.acquire(1025);
        assertThat(small.buffer().capacity()).isEqualTo(256);
        assertThat(small.buffer().limit()).isEqualTo(1);
        assertThat(exact.buffer().capacity()).isEqualTo(1024);
        assertThat(between.buffer().capacity()).isEqualTo(2048);
        assertThat(between.buffer().isDirect()).isTrue();
        assertThat(pool.inUse()).isEqualTo(3);
        small.release();
        exact.release();
        between.release();
        assertThat(pool.inUse()).isZero();
        assertThat(pool.pooled()).isEqualTo(3);
        assertThat(pool.allocatedBytes()).isEqualTo(256 + 1024 + 2048);
    }

    @Test
    void reusesReleasedBlocksAndCountsHitsAndMisses() {
        BufferPool pool = BufferPool.createDefault();
        PooledBuffer first = pool.acquire(4000);
        ByteBuffer memory = first.buffer();
        memory.put((byte) 7);
        first.release();
        PooledBuffer second = pool.acquire(3000);
        assertThat(second.buffer()).isSameAs(memory);
        assertThat(second.buffer().position()).isZero();
        assertThat(second.buffer().limit()).isEqualTo(3000);
        assertThat(pool.misses()).isEqualTo(1);
        assertThat(pool.hits()).isEqualTo(1);
        second.release();
    }

    @Test
    void largeRequestsAreServedUnpooledAndDroppedOnRelease() {
        BufferPool pool = BufferPool.createDefault();
        PooledBuffer big = pool.acquire(64 * 1024 + 1);
        assertThat(big.buffer().capacity()).isEqualTo(64 * 1024 + 1);
        big.release();
        assertThat(pool.unpooledAllocations()).isEqualTo(1);
        assertThat(pool.allocatedBytes()).isZero();
        assertThat(pool.pooled()).isZero();
        assertThat(pool.inUse()).isZero();
    }

    @Test
    void neverAllocatesPooledBlocksBeyondTheCapNorMoreThanAQuarterOfItForOneSize() {
        BufferPool pool = BufferPool.builder().maxPooledBytes(16384).build();
        List<PooledBuffer> held = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            held.add(pool.acquire(1024));
        }
        assertThat(pool.allocatedBytes()).isEqualTo(4096); // a quarter of the cap: 4 blocks of 1 KiB
        assertThat(pool.unpooledAllocations()).isEqualTo(6);
        for (int size : new int[] {256, 512, 2048, 4096, 8192}) {
            for (int i = 0; i < 10; i++) {
                held.add(pool.acquire(size));
            }
        }
        // 256 B: 2560, 512 B: 4096 (its share), 1 KiB: 4096, 2 KiB: 4096 (two blocks); then the cap is near
        assertThat(pool.allocatedBytes()).isEqualTo(2560 + 4096 + 4096 + 4096).isLessThanOrEqualTo(16384);
        for (int sizeClass = 0; sizeClass < 9; sizeClass++) {
            assertThat(pool.classBytes(sizeClass)).isLessThanOrEqualTo(16384 / 4);
        }
        held.forEach(PooledBuffer::release);
        assertThat(pool.pooledBytes()).isEqualTo(pool.allocatedBytes());
        assertThat(pool.inUse()).isZero();
    }

    @Test
    void aFloodOfOneSizeLeavesRoomForTheOthers() {
        BufferPool pool = BufferPool.builder().maxPooledBytes(64 * 1024).build();
        List<PooledBuffer> flood = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            flood.add(pool.acquire(256));
        }
        flood.forEach(PooledBuffer::release);
        assertThat(pool.allocatedBytes()).isEqualTo(16 * 1024); // the flood kept a quarter, for good
        PooledBuffer other = pool.acquire(16 * 1024);
        assertThat(pool.unpooledAllocations()).isEqualTo(1000 - 64); // the 16 KiB block was pooled
        other.release();
        assertThat(pool.inUse()).isZero();
    }

    @Test
    void heapBuffersWhenAsked() {
        BufferPool pool = BufferPool.builder().direct(false).build();
        PooledBuffer b = pool.acquire(10);
        assertThat(b.buffer().isDirect()).isFalse();
        b.release();
    }

    @Test
    void secondReleaseThrows() {
        BufferPool pool = BufferPool.createDefault();
        PooledBuffer b = pool.acquire(100);
        b.release();
        assertThatIllegalStateException().isThrownBy(b::release).withMessageContaining("released twice");
        assertThatIllegalStateException().isThrownBy(b::buffer).withMessageContaining("already released");
        assertThat(pool.inUse()).isZero();
        assertThat(pool.pooled()).isEqualTo(1);
    }

    @Test
    void staleHandleCannotReleaseMemoryLentToSomeoneElse() {
        BufferPool pool = BufferPool.createDefault();
        PooledBuffer stale = pool.acquire(100);
        stale.release();
        PooledBuffer current = pool.acquire(100); // same memory, new handle
        assertThatIllegalStateException().isThrownBy(stale::release);
        assertThat(pool.inUse()).isEqualTo(1);
        assertThat(pool.pooled()).isZero();
        current.release();
    }

    @Test
    void rejectsInvalidSettingsNamingTheSetting() {
        assertThatIllegalArgumentException().isThrownBy(() -> BufferPool.builder().minBufferSize(300).build())
                .withMessage("minBufferSize must be a power of two in [16, 1073741824], was 300");
        assertThatIllegalArgumentException().isThrownBy(() -> BufferPool.builder().maxBufferSize(128).build())
                .withMessage("maxBufferSize must be a power of two in [256, 1073741824], was 128");
        assertThatIllegalArgumentException().isThrownBy(() -> BufferPool.builder().maxPooledBytes(-1).build())
                .withMessage("maxPooledBytes must be >= 0, was -1");
        assertThatIllegalArgumentException().isThrownBy(() -> BufferPool.createDefault().acquire(-1))
                .withMessage("size must be >= 0, was -1");
    }

    @Test
    @Timeout(60)
    void countersReturnToZeroAfterEightThreadsOfHundredThousandCycles() {
        BufferPool pool = BufferPool.createDefault();
        int threads = 8;
        int cycles = 100_000;
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(CompletableFuture.runAsync(() -> {
                await(start);
                ThreadLocalRandom random = ThreadLocalRandom.current();
                PooledBuffer[] held = new PooledBuffer[4];
                for (int i = 0; i < cycles; i++) {
                    int slot = i & 3;
                    if (held[slot] != null) {
                        held[slot].release();
                    }
                    held[slot] = pool.acquire(random.nextInt(1, 66_000)); // a few land above 64 KiB: unpooled
                    held[slot].buffer().put(0, (byte) i);
                }
                for (PooledBuffer b : held) {
                    b.release();
                }
            }, runnable -> new Thread(runnable).start()));
        }
        start.countDown();
        workers.forEach(CompletableFuture::join);

        assertThat(pool.inUse()).isZero();
        assertThat(pool.hits() + pool.misses() + pool.unpooledAllocations())
                .isGreaterThanOrEqualTo((long) threads * cycles);
        assertThat(pool.allocatedBytes()).isLessThanOrEqualTo(pool.maxPooledBytes());
        // every block the pool allocated is back on a free list
        assertThat(pool.pooledBytes()).isEqualTo(pool.allocatedBytes());
    }

    @Test
    @Timeout(60)
    void blocksKeptByAThreadThatEndedGoBackToTheSharedList() throws Exception {
        BufferPool pool = BufferPool.createDefault();
        Thread worker = new Thread(() -> {
            List<PooledBuffer> held = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                held.add(pool.acquire(256));
            }
            held.forEach(PooledBuffer::release); // all 20 stay in this thread's own stack
        });
        worker.start();
        worker.join();
        worker = null;
        long missesBefore = pool.misses();
        // once the dead thread is collected its blocks return: this thread then reuses them (hits, no misses)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
            System.gc();
            List<PooledBuffer> again = new ArrayList<>();
            long misses = pool.misses();
            for (int i = 0; i < 16; i++) {
                again.add(pool.acquire(256));
            }
            boolean reused = pool.misses() == misses;
            again.forEach(PooledBuffer::release);
            return reused;
        });
        assertThat(pool.misses()).isLessThanOrEqualTo(missesBefore + 16 * 30);
        assertThat(pool.allocatedBytes()).isEqualTo(pool.pooledBytes());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
