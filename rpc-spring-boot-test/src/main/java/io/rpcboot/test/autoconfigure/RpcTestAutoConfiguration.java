package io.rpcboot.test.autoconfigure;

import io.rpcboot.autoconfigure.RpcAutoConfiguration;
import io.rpcboot.autoconfigure.RpcServerCustomizer;
import io.rpcboot.autoconfigure.RpcZooKeeperRegistryAutoConfiguration;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.registry.InMemoryServiceRegistry;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.server.ServiceDefinition;
import io.rpcboot.core.registry.ServiceInstance;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * What {@link AutoConfigureRpc} adds to rpc-boot's own auto-configuration: a registry of this test
 * only, the {@link RpcStub} beans served, and an {@link RpcTestClient}.
 */
@AutoConfiguration(before = {RpcAutoConfiguration.class, RpcZooKeeperRegistryAutoConfiguration.class})
public class RpcTestAutoConfiguration {

    /** A fresh in-memory registry: in-process servers announce themselves here, and nothing else is listed. */
    @Bean
    @ConditionalOnMissingBean(ServiceRegistry.class)
    ServiceRegistry rpcTestServiceRegistry() {
        return new InMemoryServiceRegistry();
    }

    /** Serves every {@link RpcStub} bean of the test's context. */
    @Bean
    RpcServerCustomizer rpcTestStubs(ObjectProvider<RpcStub<?>> stubs) {
        return builder -> stubs.orderedStream().forEach(stub -> builder.service(new ServiceDefinition(stub.type(),
                stub.implementation(), stub.version(), stub.group(), ServiceInstance.DEFAULT_WEIGHT)));
    }

    @Bean
    @ConditionalOnMissingBean
    RpcTestClient rpcTestClient(RpcClient client) {
        return new RpcTestClient(client);
    }
}
