/** Not API: the factories of rpc-core's meters, and the counters for what peers send beyond the rules. */
@NullMarked
package io.rpcboot.core.internal.metrics;

import org.jspecify.annotations.NullMarked;
