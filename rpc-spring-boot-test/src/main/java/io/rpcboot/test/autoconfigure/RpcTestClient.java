package io.rpcboot.test.autoconfigure;

import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;

/**
 * Calls the services the test's context provides, as a consumer would: through the application's
 * {@link RpcClient}, over the in-process transport, with its codec, limits and interceptors.
 */
public class RpcTestClient {

    private final RpcClient client;

    public RpcTestClient(RpcClient client) {
        this.client = client;
    }

    /** A proxy for {@code type}, default version and group. */
    public <T> T reference(Class<T> type) {
        return client.create(ReferenceConfig.builder(type).build());
    }

    /** A proxy for {@code type} with settings of its own (version, group, timeout...). */
    public <T> T reference(ReferenceConfig<T> config) {
        return client.create(config);
    }

    public RpcClient client() {
        return client;
    }
}
