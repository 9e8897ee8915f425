/**
 * The RPC client: {@link io.rpcboot.core.client.RpcClient} makes proxies for service interfaces;
 * calls are multiplexed by request id over a few pooled connections per endpoint, chosen by a load
 * balancer, bounded by deadlines, and retried only when that is safe.
 */
@NullMarked
package io.rpcboot.core.client;

import org.jspecify.annotations.NullMarked;
