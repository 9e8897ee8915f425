package io.rpcboot.autoconfigure;

import io.rpcboot.core.security.BearerTokenInterceptor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import io.rpcboot.core.resources.RpcResources;
import io.rpcboot.core.balance.LoadBalancers;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.intercept.ClientInterceptor;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.serialize.Serializations;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The {@link RpcClient} behind {@code @RpcReference} fields, built from {@code rpc.client.*} and the
 * shared beans of {@link RpcAutoConfiguration}, with every {@link ClientInterceptor} bean in
 * {@code @Order}, then handed to every {@link RpcClientCustomizer} in order; and the post-processor
 * that injects the references.
 */
@AutoConfiguration(after = RpcAutoConfiguration.class)
@ConditionalOnClass(RpcClient.class)
public class RpcClientAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RpcClient rpcClient(RpcProperties properties, ServiceRegistry registry, Serializations serializations,
                        LoadBalancers balancers, RpcMetrics metrics, RpcResources resources,
                        ObjectProvider<ClientInterceptor> interceptors, ObjectProvider<RpcClientCustomizer> customizers,
                        RpcTlsConfigurations tls) {
        RpcClient.Builder builder = RpcClient.builder()
                .config(RpcConfigurations.client(properties, balancers, serializations,
                        tls.client(properties.getClient().getSsl()))).registry(registry)
                .serializations(serializations).loadBalancers(balancers).metrics(metrics).resources(resources)
                .interceptors(interceptors.orderedStream().toList());
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    /** Sends {@code rpc.client.auth-token} with every call, unless the application declares its own interceptor. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "rpc.client.auth-token")
    BearerTokenInterceptor rpcBearerTokenInterceptor(RpcProperties properties) {
        String token = properties.getClient().getAuthToken();
        if (token.isBlank()) {
            throw RpcConfigurations.invalid("rpc.client.auth-token", "", "the token is empty");
        }
        return BearerTokenInterceptor.of(token);
    }

    /** Makes the proxies of {@code @RpcReference} fields and of the beans {@link ImportRpcServices} declares. */
    @Bean
    @ConditionalOnMissingBean
    RpcReferenceFactory rpcReferenceFactory(RpcServiceCatalog catalog, RpcProperties properties, Environment environment,
                                            ObjectProvider<RpcTlsConfigurations> tls, ObjectProvider<RpcClient> client,
                                            ObjectProvider<RpcCircuitBreakerFactory> breakers,
                                            ConfigurableListableBeanFactory beans) {
        return new RpcReferenceFactory(catalog, properties, environment, tls, client, breakers, beans);
    }

    /**
     * The references' circuit breakers, in the application's {@link CircuitBreakerRegistry} bean when
     * it has one, with their meters on the application's registry.
     */
    @Bean
    @ConditionalOnMissingBean
    RpcCircuitBreakerFactory rpcCircuitBreakerFactory(RpcProperties properties,
                                                      ObjectProvider<CircuitBreakerRegistry> registry, RpcMetrics metrics) {
        return new RpcCircuitBreakerFactory(properties, registry.getIfUnique(), metrics.registry());
    }

    /** Beans marked {@code @RpcFallback} are injected by name only. */
    @Bean
    static RpcFallbackPostProcessor rpcFallbackPostProcessor() {
        return new RpcFallbackPostProcessor();
    }

    @Bean
    @ConditionalOnMissingBean
    static RpcReferenceAnnotationBeanPostProcessor rpcReferenceAnnotationBeanPostProcessor(
            ObjectProvider<RpcReferenceFactory> factory) {
        return new RpcReferenceAnnotationBeanPostProcessor(factory);
    }
}
