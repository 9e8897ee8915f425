/**
 * Not API: {@link io.rpcboot.core.internal.resources.ResourceParts}, what clients and servers in
 * rpc-core find inside the {@code RpcResources} they are given. Public only so that sibling packages
 * can use it; it may change in any release.
 */
@NullMarked
package io.rpcboot.core.internal.resources;

import org.jspecify.annotations.NullMarked;
