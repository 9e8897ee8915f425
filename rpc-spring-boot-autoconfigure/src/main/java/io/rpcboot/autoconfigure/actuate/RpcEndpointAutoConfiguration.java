package io.rpcboot.autoconfigure.actuate;

import io.rpcboot.autoconfigure.RpcClientAutoConfiguration;
import io.rpcboot.autoconfigure.RpcServerAutoConfiguration;
import io.rpcboot.autoconfigure.RpcCircuitBreakerFactory;
import io.rpcboot.autoconfigure.RpcServerLifecycle;
import io.rpcboot.autoconfigure.RpcServiceCatalog;
import io.rpcboot.core.resources.RpcResources;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.serialize.TypeAllowList;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code rpc} Actuator endpoint, when Actuator is present and the endpoint is exposed. */
@AutoConfiguration(after = {RpcClientAutoConfiguration.class, RpcServerAutoConfiguration.class})
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(RpcClient.class)
public class RpcEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    RpcEndpoint rpcEndpoint(RpcServiceCatalog catalog, RpcClient client, ObjectProvider<RpcServerLifecycle> server,
                            ServiceRegistry registry, RpcResources resources, TypeAllowList allowList,
                            ObjectProvider<RpcCircuitBreakerFactory> breakers) {
        return new RpcEndpoint(catalog, client, server, registry, resources, allowList, breakers);
    }
}
