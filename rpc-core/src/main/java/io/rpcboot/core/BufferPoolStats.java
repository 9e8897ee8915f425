package io.rpcboot.core;

/**
 * The network buffer pool of an {@link io.rpcboot.core.resources.RpcResources} at one instant, for operators. Each figure is
 * exact on its own; together they are not one atomic snapshot.
 *
 * @param inUse          buffers lent out now (pooled and one-off alike); 0 when nothing leaks
 * @param pooled         free blocks waiting for reuse
 * @param allocatedBytes bytes of blocks the pool owns (free or lent); never above {@code maxPooledBytes}
 * @param maxPooledBytes the configured cap on {@code allocatedBytes}
 * @param maxBufferSize  the largest buffer served from the pool; larger ones are one-off
 * @param direct         whether pooled buffers live outside the heap
 * @param hits           acquisitions served from a free list
 * @param misses         acquisitions of a pooled size that found the free list empty
 * @param unpooled       acquisitions served by a one-off allocation (too large, or the cap reached)
 */
public record BufferPoolStats(long inUse, long pooled, long allocatedBytes, long maxPooledBytes, int maxBufferSize,
                              boolean direct, long hits, long misses, long unpooled) {
}
