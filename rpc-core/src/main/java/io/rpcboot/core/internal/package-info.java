/**
 * Not API. rpc-core's plumbing: the reactor, the TCP transport, frames and their codec, the buffer
 * and connection pools, the shared resources behind {@link io.rpcboot.core.RpcResources}, and the
 * client's live per-instance figures. These types are public only so that rpc-core's own packages
 * can share them; they may change or disappear in any release. No other module uses them: each
 * module's architecture test fails if one does, and {@code docs/public-types.txt} lists which public
 * types are API and which are internal.
 */
@NullMarked
package io.rpcboot.core.internal;

import org.jspecify.annotations.NullMarked;
