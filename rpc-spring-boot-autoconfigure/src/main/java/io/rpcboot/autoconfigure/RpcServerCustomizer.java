package io.rpcboot.autoconfigure;

import io.rpcboot.core.server.RpcServer;

/**
 * Changes the auto-configured {@link RpcServer} before it is built, without replacing the whole bean
 * (e.g. to add a service that is not a bean, or another {@code ServerConfig}). Every bean of this
 * type is applied, in {@link org.springframework.core.annotation.Order @Order} (or
 * {@link org.springframework.core.Ordered}) order, after the builder has received {@code rpc.server.*}
 * and the shared beans; a later customizer sees, and may override, what an earlier one set. Called
 * once, on the thread that creates the server bean.
 */
@FunctionalInterface
public interface RpcServerCustomizer {

    void customize(RpcServer.Builder builder);
}
