package io.rpcboot.autoconfigure;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.registry.zookeeper.ZooKeeperRegistryConfig;
import io.rpcboot.registry.zookeeper.ZooKeeperServiceRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * {@code rpc.registry.type=zookeeper}: the ZooKeeper registry, when rpc-registry-zookeeper is on the
 * class path. Runs before {@link RpcAutoConfiguration}, whose in-memory registry then stands back;
 * the client and server auto-configurations, which run after that, use this registry.
 * An unreachable {@code rpc.registry.address} stops startup after the connection timeout, naming it.
 */
@AutoConfiguration(before = RpcAutoConfiguration.class)
@ConditionalOnClass(ZooKeeperServiceRegistry.class)
@Conditional(OnZooKeeperRegistryType.class)
@EnableConfigurationProperties(RpcProperties.class)
public class RpcZooKeeperRegistryAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(ServiceRegistry.class)
    ServiceRegistry rpcServiceRegistry(RpcProperties properties, ObjectProvider<RpcMetrics> metrics) {
        RpcProperties.Registry registry = properties.getRegistry();
        RpcProperties.Zookeeper zk = registry.getZookeeper();
        String address = registry.getAddress().strip();
        ZooKeeperRegistryConfig config = RpcConfigurations.build(parameter -> parameter.equals("address")
                        ? "rpc.registry.address" : "rpc.registry.zookeeper." + RpcConfigurations.kebab(parameter),
                () -> new ZooKeeperRegistryConfig(address, zk.getRootPath(), zk.getSessionTimeout(),
                        zk.getConnectionTimeout(), zk.getRetryBaseSleep(), zk.getMaxRetries(), zk.getUsername(),
                        zk.getPassword()));
        try {
            return ZooKeeperServiceRegistry.connect(config, metrics.getIfAvailable(RpcMetrics::simple));
        } catch (RpcException e) {
            throw RpcConfigurations.invalid("rpc.registry.address", address, e.getMessage());
        }
    }
}
