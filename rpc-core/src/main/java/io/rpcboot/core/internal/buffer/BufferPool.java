package io.rpcboot.core.internal.buffer;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

import io.rpcboot.core.internal.GuardedBy;
import io.rpcboot.core.internal.threads.VirtualThreads;

import io.rpcboot.core.BufferPoolStats;

/**
 * A pool of {@link ByteBuffer}s in power-of-two size classes ({@code minBufferSize} ..
 * {@code maxBufferSize}, by default 256 B .. 64 KiB), one free list per class.
 *
 * <pre>
 *  acquire(n) ─► class = ceil_pow2(max(n, min))
 *                 ├─ n > maxBufferSize ......................► unpooled (dropped on release)
 *                 ├─ free list of class not empty ............► hit: reuse a block
 *                 ├─ allocated + class size ≤ maxPooledBytes
 *                 │  and the class owns ≤ maxPooledBytes / 4 ► miss: allocate a new pooled block
 *                 └─ otherwise ...............................► miss: unpooled (dropped on release)
 * </pre>
 *
 * <p>Blocks are allocated on demand and never freed while the pool lives, so {@code maxPooledBytes}
 * is a hard cap on the memory the pool keeps. Direct buffers by default, since sockets copy heap
 * buffers into direct memory anyway.
 *
 * <p>Thread-safe: any thread may acquire and release. Blocks up to 16 KiB pass through a small stack
 * per thread first (at most 32 per class), which meets the shared free list 16 blocks at a time;
 * each shared free list is guarded by its own lock. A block kept by a thread counts as pooled, and
 * goes back to the shared list once that thread has ended (a {@link Cleaner} runs when the thread
 * is collected). Statistics are plain numbers read without locking (each is
 * exact on its own, not a consistent snapshot of all of them together).
 */
public final class BufferPool {

    /** Default smallest size class. */
    public static final int DEFAULT_MIN_BUFFER_SIZE = 256;
    /** Default largest size class; larger requests are served unpooled. */
    public static final int DEFAULT_MAX_BUFFER_SIZE = 64 * 1024;
    /** Default cap on the bytes of pooled blocks. */
    public static final long DEFAULT_MAX_POOLED_BYTES = 64L * 1024 * 1024;

    static final int UNPOOLED = -1;

    private final int minShift;
    private final int maxBufferSize;
    private final long maxPooledBytes;
    private final boolean direct;
    private final FreeList[] freeLists;
    /** Bytes of blocks each size class owns, and the most one class may own: a quarter of the cap. */
    private final AtomicLong[] classBytes;
    private final long maxClassBytes;

    /** Blocks a thread keeps for itself per size class, and how many move to or from the shared list at once. */
    private static final int CACHE_CAPACITY = 32;
    /** One size class may own at most 1/this of {@code maxPooledBytes}. */
    static final int MAX_CLASS_SHARE = 4;
    private static final int BATCH = 16;
    /**
     * Only classes up to this size are cached per thread, which bounds what an idle thread holds.
     * Virtual threads have no cache: one lives for one call, and its cache would hold blocks until
     * the collector found it gone.
     */
    private static final int MAX_CACHED_CLASS_SIZE = 16 * 1024;

    private final int cachedClasses;
    private final ThreadLocal<ThreadCache> caches;
    /**
     * Every thread cache whose thread has not been collected yet, so that statistics can add up
     * what threads hold without the hot path updating any shared counter for it.
     */
    private final Set<ThreadCache> liveCaches = ConcurrentHashMap.newKeySet();
    /**
     * Held by statistics while they add up the thread caches, and by the cleaner while it returns a
     * dead thread's cache to the free lists: no block is counted twice or missed.
     */
    private final Object lock = new Object();
    private final AtomicLong allocatedBytes = new AtomicLong();
    private final LongAdder inUse = new LongAdder();
    private final LongAdder lentBytes = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder unpooled = new LongAdder();

    private BufferPool(Builder b) {
        this.minShift = Integer.numberOfTrailingZeros(b.minBufferSize);
        this.maxBufferSize = b.maxBufferSize;
        this.maxPooledBytes = b.maxPooledBytes;
        this.direct = b.direct;
        int classes = Integer.numberOfTrailingZeros(b.maxBufferSize) - minShift + 1;
        this.freeLists = new FreeList[classes];
        this.classBytes = new AtomicLong[classes];
        for (int i = 0; i < classes; i++) {
            freeLists[i] = new FreeList();
            classBytes[i] = new AtomicLong();
        }
        this.maxClassBytes = b.maxPooledBytes / MAX_CLASS_SHARE;
        int small = 0;
        while (small < classes && (1 << (small + minShift)) <= MAX_CACHED_CLASS_SIZE) {
            small++;
        }
        this.cachedClasses = small;
        int cachedCount = small;
        this.caches = ThreadLocal.withInitial(() -> {
            ThreadCache cache = new ThreadCache(cachedCount);
            liveCaches.add(cache);
            // when the thread is gone, its blocks go back to the shared lists instead of being stranded
            CLEANER.register(Thread.currentThread(), new ReturnBlocks(cache, freeLists, liveCaches, hits, lock));
            return cache;
        });
    }

    private static final Cleaner CLEANER = Cleaner.create();

    /** Runs once the owning thread is unreachable: nothing else touches its cache then. */
    private record ReturnBlocks(ThreadCache cache, FreeList[] freeLists, Set<ThreadCache> liveCaches, LongAdder hits,
                                Object lock)
            implements Runnable {
        @Override
        public void run() {
            synchronized (lock) { // statistics read the caches under the same lock: none counted twice or lost
                returnAll();
            }
        }

        private void returnAll() {
            for (int k = 0; k < cache.counts.length; k++) {
                int n = cache.counts[k];
                if (n > 0) {
                    freeLists[k].pushBatch(cache.blocks[k], 0, n);
                    cache.counts[k] = 0;
                }
            }
            hits.add(cache.hits);
            liveCaches.remove(cache);
        }
    }

    /**
     * One thread's stacks of free small blocks and its hit count. Written by its own thread only;
     * statistics read it from other threads, possibly a little out of date.
     */
    private static final class ThreadCache {
        final ByteBuffer[][] blocks;
        final int[] counts;
        long hits;

        ThreadCache(int classes) {
            blocks = new ByteBuffer[classes][CACHE_CAPACITY];
            counts = new int[classes];
        }
    }

    /** A pool with the defaults: 256 B .. 64 KiB classes, 64 MiB cap, direct buffers. */
    public static BufferPool createDefault() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Lends a buffer with position 0 and limit {@code size}; its capacity may be larger.
     * Never blocks and never fails for want of pool space: past the cap it allocates unpooled.
     *
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public PooledBuffer acquire(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, was " + size);
        }
        if (size > maxBufferSize) {
            return unpooled(size);
        }
        int sizeClass = sizeClassOf(size);
        ByteBuffer block;
        if (sizeClass < cachedClasses && !VirtualThreads.current()) {
            ThreadCache cache = caches.get();
            block = popCached(cache, sizeClass);
            if (block != null) {
                cache.hits++;
            }
        } else {
            block = freeLists[sizeClass].pop();
            if (block != null) {
                hits.increment();
            }
        }
        if (block == null) {
            misses.increment();
            int classSize = classSize(sizeClass);
            if (!reserve(sizeClass, classSize)) {
                return unpooled(size);
            }
            try {
                block = allocate(classSize);
            } catch (OutOfMemoryError e) { // nothing was lent: the books stay as they were
                unreserve(sizeClass, classSize);
                throw e;
            }
        }
        block.clear().limit(size);
        inUse.increment();
        lentBytes.add(block.capacity());
        return new PooledBuffer(block, sizeClass, this);
    }

    private PooledBuffer unpooled(int size) {
        ByteBuffer block = allocate(size); // may throw OutOfMemoryError: then nothing is counted
        unpooled.increment();
        inUse.increment();
        lentBytes.add(size);
        return new PooledBuffer(block, UNPOOLED, this);
    }

    /**
     * Claims room for one more block of a class: within the pool's cap, and within the class's share
     * of it ({@link #maxClassBytes}), so that a burst of one size (say, a flood of small frames) cannot
     * take the whole cap for good and leave every other size unpooled.
     */
    private boolean reserve(int sizeClass, int bytes) {
        AtomicLong ofClass = classBytes[sizeClass];
        long mine;
        do {
            mine = ofClass.get();
            if (mine + bytes > maxClassBytes && mine > 0) {
                return false;
            }
        } while (!ofClass.compareAndSet(mine, mine + bytes));
        long current;
        do {
            current = allocatedBytes.get();
            if (current + bytes > maxPooledBytes) {
                ofClass.addAndGet(-bytes);
                return false;
            }
        } while (!allocatedBytes.compareAndSet(current, current + bytes));
        return true;
    }

    private void unreserve(int sizeClass, int bytes) {
        classBytes[sizeClass].addAndGet(-bytes);
        allocatedBytes.addAndGet(-bytes);
    }

    private ByteBuffer allocate(int size) {
        return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    void giveBack(ByteBuffer block, int sizeClass) {
        inUse.decrement();
        lentBytes.add(-block.capacity());
        if (sizeClass == UNPOOLED) {
            return;
        }
        if (sizeClass < cachedClasses && !VirtualThreads.current()) {
            pushCached(caches.get(), sizeClass, block);
        } else {
            freeLists[sizeClass].push(block);
        }
    }

    /**
     * Small blocks go through a stack per thread first, refilled from (and spilled to) the shared
     * free list {@value #BATCH} blocks at a time: one lock per batch instead of one per buffer, so
     * many threads acquiring while an event loop releases do not queue on the lock.
     */
    private ByteBuffer popCached(ThreadCache cache, int sizeClass) {
        ByteBuffer[] stack = cache.blocks[sizeClass];
        int n = cache.counts[sizeClass];
        if (n == 0) {
            n = freeLists[sizeClass].popBatch(stack, BATCH);
            if (n == 0) {
                return null;
            }
        }
        ByteBuffer block = stack[--n];
        stack[n] = null;
        cache.counts[sizeClass] = n;
        return block;
    }

    private void pushCached(ThreadCache cache, int sizeClass, ByteBuffer block) {
        ByteBuffer[] stack = cache.blocks[sizeClass];
        int n = cache.counts[sizeClass];
        if (n == CACHE_CAPACITY) {
            freeLists[sizeClass].pushBatch(stack, n - BATCH, BATCH);
            n -= BATCH;
        }
        stack[n] = block;
        cache.counts[sizeClass] = n + 1;
    }

    int sizeClassOf(int size) {
        if (size <= (1 << minShift)) {
            return 0;
        }
        int shift = 32 - Integer.numberOfLeadingZeros(size - 1);
        return shift - minShift;
    }

    private int classSize(int sizeClass) {
        return 1 << (sizeClass + minShift);
    }

    /** Largest request served from the pool; anything larger is allocated unpooled. */
    public int maxBufferSize() {
        return maxBufferSize;
    }

    /** Bytes of blocks of one size class (free or lent); never above a quarter of the cap (or one block). */
    long classBytes(int sizeClass) {
        return classBytes[sizeClass].get();
    }

    /** Bytes of blocks the pool has allocated and owns (free or lent); never above the cap. */
    public long allocatedBytes() {
        return allocatedBytes.get();
    }

    /** Buffers acquired and not yet released, pooled and unpooled alike. 0 when nothing leaks. */
    public long inUse() {
        return inUse.sum();
    }

    /**
     * Bytes of the buffers lent out now (pooled blocks by their size class, unpooled ones by their
     * size): what the holders of this pool's buffers keep. 0 when nothing leaks.
     */
    public long bytesInUse() {
        return lentBytes.sum();
    }

    /** Free blocks waiting in the free lists. */
    public long pooled() {
        long n = 0;
        synchronized (lock) { // a dead thread's blocks move from its cache to the lists under this lock
            for (int i = 0; i < freeLists.length; i++) {
                n += freeLists[i].size() + cachedInThreads(i);
            }
        }
        return n;
    }

    /** Blocks of one class held in thread caches. */
    private long cachedInThreads(int sizeClass) {
        if (sizeClass >= cachedClasses) {
            return 0;
        }
        long n = 0;
        synchronized (lock) {
            for (ThreadCache cache : liveCaches) {
                n += cache.counts[sizeClass];
            }
        }
        return n;
    }

    /** Bytes of the free blocks waiting in the free lists; equals {@link #allocatedBytes()} when none is lent. */
    public long pooledBytes() {
        long bytes = 0;
        synchronized (lock) {
            for (int i = 0; i < freeLists.length; i++) {
                bytes += (freeLists[i].size() + cachedInThreads(i)) * classSize(i);
            }
        }
        return bytes;
    }

    /** Acquisitions served from a free list. */
    public long hits() {
        synchronized (lock) {
            long n = hits.sum();
            for (ThreadCache cache : liveCaches) {
                n += cache.hits;
            }
            return n;
        }
    }

    /** Acquisitions of a pooled size that found their free list empty. */
    public long misses() {
        return misses.sum();
    }

    /** Acquisitions served by a one-off allocation (too large, or the cap was reached). */
    public long unpooledAllocations() {
        return unpooled.sum();
    }

    /** The configured cap on {@link #allocatedBytes()}. */
    public long maxPooledBytes() {
        return maxPooledBytes;
    }

    /** Whether pooled buffers are direct (off-heap). */
    public boolean isDirect() {
        return direct;
    }

    /** All the figures above as one value, for operators and meters. */
    public BufferPoolStats stats() {
        return new BufferPoolStats(inUse(), pooled(), allocatedBytes(), maxPooledBytes, maxBufferSize, direct, hits(),
                misses(), unpooledAllocations());
    }

    @Override
    public String toString() {
        return "BufferPool[allocated=" + allocatedBytes() + "B, inUse=" + inUse() + ", pooled=" + pooled()
                + ", hits=" + hits() + ", misses=" + misses() + ", unpooled=" + unpooledAllocations() + "]";
    }

    /** A LIFO stack of free blocks of one size class. LIFO keeps recently used memory warm in cache. */
    private static final class FreeList {
        /**
         * A {@link ReentrantLock}, not a monitor: every thread that encodes a frame of more than 16 KiB
         * takes and returns blocks here (those classes have no per-thread cache), and in rpc-benchmark
         * (16 KiB calls, 64 callers, 3 rounds) a monitor here cost about 4% of throughput.
         */
        private final ReentrantLock lock = new ReentrantLock();
        @GuardedBy("lock")
        private ByteBuffer[] blocks = new ByteBuffer[16];
        @GuardedBy("lock")
        private int count;
        private volatile int size; // written under the lock, read without it for a quick "empty" check

        ByteBuffer pop() {
            if (size == 0) {
                return null;
            }
            lock.lock();
            try {
                if (count == 0) {
                    return null;
                }
                ByteBuffer block = blocks[--count];
                blocks[count] = null;
                size = count;
                return block;
            } finally {
                lock.unlock();
            }
        }

        void push(ByteBuffer block) {
            lock.lock();
            try {
                if (count == blocks.length) {
                    blocks = Arrays.copyOf(blocks, count * 2);
                }
                blocks[count++] = block;
                size = count;
            } finally {
                lock.unlock();
            }
        }

        /** Moves up to {@code max} blocks into {@code into[0..]}; returns how many. */
        int popBatch(ByteBuffer[] into, int max) {
            if (size == 0) {
                return 0;
            }
            lock.lock();
            try {
                int n = Math.min(max, count);
                for (int i = 0; i < n; i++) {
                    into[i] = blocks[--count];
                    blocks[count] = null;
                }
                size = count;
                return n;
            } finally {
                lock.unlock();
            }
        }

        /** Takes {@code n} blocks from {@code from[offset..]}, clearing those slots. */
        void pushBatch(ByteBuffer[] from, int offset, int n) {
            lock.lock();
            try {
                if (count + n > blocks.length) {
                    blocks = Arrays.copyOf(blocks, Math.max(blocks.length * 2, count + n));
                }
                for (int i = 0; i < n; i++) {
                    blocks[count++] = from[offset + i];
                    from[offset + i] = null;
                }
                size = count;
            } finally {
                lock.unlock();
            }
        }

        int size() {
            return size;
        }
    }

    /** Validated settings; every error names the setting, the value and the allowed range. */
    public static final class Builder {
        private int minBufferSize = DEFAULT_MIN_BUFFER_SIZE;
        private int maxBufferSize = DEFAULT_MAX_BUFFER_SIZE;
        private long maxPooledBytes = DEFAULT_MAX_POOLED_BYTES;
        private boolean direct = true;

        private Builder() {
        }

        /** Smallest size class, a power of two >= 16. */
        public Builder minBufferSize(int bytes) {
            this.minBufferSize = bytes;
            return this;
        }

        /** Largest size class, a power of two >= minBufferSize and <= 1 GiB. */
        public Builder maxBufferSize(int bytes) {
            this.maxBufferSize = bytes;
            return this;
        }

        /** Cap on the bytes of pooled blocks, >= 0 (0 pools nothing). */
        public Builder maxPooledBytes(long bytes) {
            this.maxPooledBytes = bytes;
            return this;
        }

        /** Direct (off-heap) buffers when true, the default; heap buffers otherwise. */
        public Builder direct(boolean direct) {
            this.direct = direct;
            return this;
        }

        public BufferPool build() {
            requirePowerOfTwo("minBufferSize", minBufferSize, 16, 1 << 30);
            requirePowerOfTwo("maxBufferSize", maxBufferSize, minBufferSize, 1 << 30);
            if (maxPooledBytes < 0) {
                throw new IllegalArgumentException("maxPooledBytes must be >= 0, was " + maxPooledBytes);
            }
            return new BufferPool(this);
        }

        private static void requirePowerOfTwo(String name, int value, int min, int max) {
            if (value < min || value > max || Integer.bitCount(value) != 1) {
                throw new IllegalArgumentException(
                        name + " must be a power of two in [" + min + ", " + max + "], was " + value);
            }
        }
    }
}
