package io.rpcboot.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rpcboot.core.balance.LoadBalancer;
import io.rpcboot.core.balance.LoadBalancers;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.serialize.TypeAllowList;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * rpc-boot for Spring Boot: every part of the core as a bean the application may replace by declaring
 * its own, {@code @RpcReference} injection, {@code @RpcProvider} publication, and the server as a
 * {@link RpcServerLifecycle}. Runs after Micrometer's registry exists, so rpc meters land in the
 * application's {@link MeterRegistry}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(RpcClient.class)
@EnableConfigurationProperties(RpcProperties.class)
public class RpcAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RpcEventLoops rpcEventLoops(RpcProperties properties) {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        int client = properties.getClient().getIoThreads();
        int server = properties.getServer().getIoThreads();
        return new RpcEventLoops(client > 0 ? client : cores, server > 0 ? server : cores);
    }

    @Bean
    @ConditionalOnMissingBean
    BufferPool rpcBufferPool(RpcProperties properties) {
        return RpcConfigurations.bufferPool(properties.getBufferPool());
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
        String type = properties.getRegistry().getType();
        if (!type.equals("memory")) {
            throw RpcConfigurations.invalid("rpc.registry.type", type, type.equals("zookeeper")
                    ? "the zookeeper registry needs the rpc-registry-zookeeper module on the class path"
                    : "must be memory or zookeeper");
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
    RpcClient rpcClient(RpcProperties properties, ServiceRegistry registry, Serializations serializations,
                        LoadBalancers balancers, RpcMetrics metrics, BufferPool pool, RpcEventLoops loops) {
        return RpcClient.builder().config(RpcConfigurations.client(properties, balancers, serializations))
                .registry(registry).serializations(serializations).loadBalancers(balancers).metrics(metrics)
                .bufferPool(pool).eventLoops(loops.client()).build();
    }

    @Bean
    @ConditionalOnMissingBean
    RpcServiceCatalog rpcServiceCatalog(ConfigurableListableBeanFactory beanFactory, Environment environment,
                                        ObjectProvider<RpcClient> client, RpcProperties properties) {
        return new RpcServiceCatalog(beanFactory, environment, client, properties.getServer().isEnabled());
    }

    @Bean
    @ConditionalOnMissingBean
    static RpcReferenceAnnotationBeanPostProcessor rpcReferenceAnnotationBeanPostProcessor(
            ObjectProvider<RpcServiceCatalog> catalog, ObjectProvider<RpcProperties> properties, Environment environment) {
        return new RpcReferenceAnnotationBeanPostProcessor(catalog, properties, environment);
    }

    /** The server, unless {@code rpc.server.enabled=false}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "rpc.server.enabled", matchIfMissing = true)
    static class ServerConfiguration {

        @Bean
        @ConditionalOnMissingBean
        RpcServer rpcServer(RpcProperties properties, ServiceRegistry registry, Serializations serializations,
                            RpcMetrics metrics, BufferPool pool, RpcEventLoops loops) {
            ServerConfig config = RpcConfigurations.server(properties.getServer());
            return RpcServer.builder().config(config).registry(registry).serializations(serializations).metrics(metrics)
                    .bufferPool(pool).eventLoops(loops.serverBoss(), loops.serverWorkers()).build();
        }

        @Bean
        @ConditionalOnMissingBean
        RpcServerLifecycle rpcServerLifecycle(RpcServer server, RpcServiceCatalog catalog) {
            return new RpcServerLifecycle(server, catalog);
        }
    }
}
