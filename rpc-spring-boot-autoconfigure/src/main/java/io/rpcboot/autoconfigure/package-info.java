/**
 * Spring Boot auto-configuration for rpc-boot: {@link io.rpcboot.autoconfigure.RpcProperties} and the
 * shared beans ({@link io.rpcboot.autoconfigure.RpcAutoConfiguration}), the client and
 * {@code @RpcReference} injection ({@link io.rpcboot.autoconfigure.RpcClientAutoConfiguration}), the
 * server and its lifecycle ({@link io.rpcboot.autoconfigure.RpcServerAutoConfiguration}), the ZooKeeper
 * registry, and the {@link io.rpcboot.autoconfigure.RpcClientCustomizer} /
 * {@link io.rpcboot.autoconfigure.RpcServerCustomizer} hooks. Uses only rpc-core's API, never
 * {@code io.rpcboot.core.internal}. Actuator support lives in {@code io.rpcboot.autoconfigure.actuate}.
 */
@NullMarked
package io.rpcboot.autoconfigure;

import org.jspecify.annotations.NullMarked;
