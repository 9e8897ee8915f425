/**
 * What clients and servers of one application may share: {@link io.rpcboot.core.resources.RpcResources},
 * the network buffer pool and the event loops.
 */
@NullMarked
package io.rpcboot.core.resources;

import org.jspecify.annotations.NullMarked;
