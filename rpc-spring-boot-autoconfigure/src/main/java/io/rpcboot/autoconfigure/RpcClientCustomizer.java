package io.rpcboot.autoconfigure;

import io.rpcboot.core.client.RpcClient;

/**
 * Changes the auto-configured {@link RpcClient} before it is built, without replacing the whole bean.
 * Every bean of this type is applied, in {@link org.springframework.core.annotation.Order @Order}
 * (or {@link org.springframework.core.Ordered}) order, after the builder has received
 * {@code rpc.client.*} and the shared beans; a later customizer sees, and may override, what an
 * earlier one set. Called once, on the thread that creates the client bean.
 */
@FunctionalInterface
public interface RpcClientCustomizer {

    void customize(RpcClient.Builder builder);
}
