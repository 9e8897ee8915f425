package io.rpcboot.autoconfigure;

import io.rpcboot.core.resources.RpcResources;
import io.rpcboot.core.intercept.ServerInterceptor;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.server.RpcServer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@link RpcServer} that publishes {@code @RpcProvider} beans, unless {@code rpc.server.enabled=false}:
 * built from {@code rpc.server.*} and the shared beans of {@link RpcAutoConfiguration}, with every
 * {@link ServerInterceptor} bean in {@code @Order}, handed to every {@link RpcServerCustomizer} in order,
 * and run with the context by {@link RpcServerLifecycle}.
 */
@AutoConfiguration(after = RpcAutoConfiguration.class)
@ConditionalOnClass(RpcServer.class)
@ConditionalOnBooleanProperty(name = "rpc.server.enabled", matchIfMissing = true)
public class RpcServerAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RpcServer rpcServer(RpcProperties properties, ServiceRegistry registry, Serializations serializations,
                        RpcMetrics metrics, RpcResources resources, ObjectProvider<ServerInterceptor> interceptors,
                        ObjectProvider<RpcServerCustomizer> customizers) {
        RpcServer.Builder builder = RpcServer.builder().config(RpcConfigurations.server(properties.getServer()))
                .registry(registry).serializations(serializations).metrics(metrics).resources(resources)
                .interceptors(interceptors.orderedStream().toList());
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    @Bean
    @ConditionalOnMissingBean
    RpcServerLifecycle rpcServerLifecycle(RpcServer server, RpcServiceCatalog catalog) {
        return new RpcServerLifecycle(server, catalog);
    }
}
