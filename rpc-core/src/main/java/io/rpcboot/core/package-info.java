/**
 * rpc-boot's core, usable without Spring. This package and its capability packages are the front
 * door: {@code client} and {@code server} to call and serve, {@code registry} and {@code balance} to
 * find and choose instances, {@code serialize} to turn values into bytes, {@code metrics} for the
 * meters. This package holds what they share: the exceptions a caller catches, all under
 * {@link io.rpcboot.core.RpcException}, the statuses a call ends with ({@link io.rpcboot.core.RpcStatus}),
 * the call context, peer limits and the resources clients and servers may share. Everything under
 * {@code io.rpcboot.core.internal} is plumbing and not API.
 */
@NullMarked
package io.rpcboot.core;

import org.jspecify.annotations.NullMarked;
