package io.rpcboot.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundles;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rpcboot.core.resources.RpcResources;
import io.rpcboot.core.balance.LoadBalancer;
import io.rpcboot.core.balance.LoadBalancers;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.serialize.TypeAllowList;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * rpc-boot's shared beans, used by both the client ({@link RpcClientAutoConfiguration}) and the
 * server ({@link RpcServerAutoConfiguration}): {@link RpcProperties}, the {@link RpcResources}
 * (buffer pool and event loops), the type allow-list and serializations, the service registry
 * (in-memory unless {@link RpcZooKeeperRegistryAutoConfiguration} gave one), the load balancers,
 * the metrics and the catalog of providers and references. Each bean stands back when the
 * application declares its own. Runs after Micrometer's registry exists, so rpc meters land in the
 * application's {@link MeterRegistry}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(RpcResources.class)
@EnableConfigurationProperties(RpcProperties.class)
public class RpcAutoConfiguration {

    /** Closed when the context closes, after the client and the server that use it (they depend on it). */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    RpcResources rpcResources(RpcProperties properties) {
        return RpcConfigurations.resources(properties);
    }

    /** TLS settings from Spring Boot SSL bundles, shared by the server, the client and its references. */
    @Bean
    @ConditionalOnMissingBean
    RpcTlsConfigurations rpcTlsConfigurations(ObjectProvider<SslBundles> bundles) {
        return new RpcTlsConfigurations(bundles);
    }

    @Bean
    @ConditionalOnMissingBean
    TypeAllowList rpcTypeAllowList(RpcProperties properties) {
        return RpcConfigurations.allowList(properties.getAllowedTypes(), ClassUtils.getDefaultClassLoader());
    }

    @Bean
    @ConditionalOnMissingBean
    Serializations rpcSerializations(TypeAllowList allowList) {
        return Serializations.defaults(allowList);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    ServiceRegistry rpcServiceRegistry(RpcProperties properties) {
        if (properties.getRegistry().getType() == RpcProperties.RegistryType.ZOOKEEPER) {
            throw RpcConfigurations.invalid("rpc.registry.type", "zookeeper",
                    "the zookeeper registry needs the rpc-registry-zookeeper module on the class path");
        }
        return RpcConfigurations.memoryRegistry(properties.getRegistry());
    }

    @Bean
    @ConditionalOnMissingBean
    LoadBalancers rpcLoadBalancers(ObjectProvider<LoadBalancer> custom) {
        LoadBalancers balancers = new LoadBalancers();
        custom.orderedStream().forEach(balancers::add);
        return balancers;
    }

    @Bean
    @ConditionalOnMissingBean
    RpcMetrics rpcMetrics(ObjectProvider<MeterRegistry> registry) {
        return new RpcMetrics(registry.getIfAvailable(SimpleMeterRegistry::new));
    }

    @Bean
    @ConditionalOnMissingBean
    RpcServiceCatalog rpcServiceCatalog(ConfigurableListableBeanFactory beanFactory, Environment environment,
                                        ObjectProvider<RpcClient> client, RpcProperties properties) {
        return new RpcServiceCatalog(beanFactory, environment, client, properties);
    }
}
