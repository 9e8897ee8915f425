/**
 * Not API: the implementation of {@link io.rpcboot.core.RpcResources}, which clients and servers in
 * rpc-core unwrap to reach the buffer pool and event loops inside. Public only so that sibling
 * packages can use it; it may change in any release.
 */
@NullMarked
package io.rpcboot.core.internal.resources;

import org.jspecify.annotations.NullMarked;
