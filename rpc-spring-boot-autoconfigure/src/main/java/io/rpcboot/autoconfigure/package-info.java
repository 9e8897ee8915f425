/**
 * Spring Boot auto-configuration for rpc-boot: {@link io.rpcboot.autoconfigure.RpcProperties}, the
 * core's beans, {@code @RpcProvider} / {@code @RpcReference} processing and the server's lifecycle.
 * Actuator support lives in {@code io.rpcboot.autoconfigure.actuate}.
 */
@NullMarked
package io.rpcboot.autoconfigure;

import org.jspecify.annotations.NullMarked;
