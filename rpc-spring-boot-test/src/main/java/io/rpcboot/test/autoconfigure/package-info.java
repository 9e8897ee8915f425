/**
 * Testing rpc-boot applications without ports: {@link io.rpcboot.test.autoconfigure.RpcProviderTest},
 * {@link io.rpcboot.test.autoconfigure.AutoConfigureRpc}, {@link io.rpcboot.test.autoconfigure.RpcStub}
 * and {@link io.rpcboot.test.autoconfigure.RpcTestClient}.
 */
@NullMarked
package io.rpcboot.test.autoconfigure;

import org.jspecify.annotations.NullMarked;
