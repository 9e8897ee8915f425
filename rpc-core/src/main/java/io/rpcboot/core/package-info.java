/** rpc-boot's core, usable without Spring; {@link io.rpcboot.core.RpcException} is the root of its errors. */
@NullMarked
package io.rpcboot.core;

import org.jspecify.annotations.NullMarked;
