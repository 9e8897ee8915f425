/**
 * rpc-boot's meters on Micrometer, all declared in {@link io.rpcboot.core.metrics.RpcMetrics}: request
 * timers with histograms, gauges for connections, calls in flight and pools, counters for bytes,
 * timeouts, rejections and malformed frames.
 */
@NullMarked
package io.rpcboot.core.metrics;

import org.jspecify.annotations.NullMarked;
