package io.rpcboot.autoconfigure.actuate;

import io.rpcboot.autoconfigure.RpcClientAutoConfiguration;
import io.rpcboot.autoconfigure.RpcServerAutoConfiguration;
import io.rpcboot.autoconfigure.RpcServerLifecycle;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.registry.ServiceRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/** The {@code rpc} health indicator ({@code management.health.rpc.enabled}), when Boot's health support is present. */
@AutoConfiguration(after = {RpcClientAutoConfiguration.class, RpcServerAutoConfiguration.class},
        afterName = "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(RpcClient.class)
@ConditionalOnEnabledHealthIndicator("rpc")
public class RpcHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "rpcHealthIndicator")
    RpcHealthIndicator rpcHealthIndicator(ObjectProvider<RpcServerLifecycle> server, RpcClient client,
                                          ServiceRegistry registry) {
        return new RpcHealthIndicator(server.getIfAvailable(), client, registry);
    }

    /**
     * The {@code rpc} component joins the readiness group of an application whose server listens,
     * unless the application lists the group's members itself.
     */
    @Bean
    @ConditionalOnClass(HealthEndpointGroupsPostProcessor.class)
    @ConditionalOnMissingBean(name = "rpcReadinessGroup")
    @ConditionalOnProperty(name = "management.endpoint.health.group.readiness.include", matchIfMissing = true,
            havingValue = "__never__")
    static HealthEndpointGroupsPostProcessor rpcReadinessGroup(ObjectProvider<RpcServerLifecycle> server) {
        return new RpcReadinessGroup(() -> {
            RpcServerLifecycle lifecycle = server.getIfAvailable();
            return lifecycle != null && !lifecycle.isIdle();
        });
    }
}
