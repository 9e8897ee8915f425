package io.rpcboot.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.rpcboot.core.security.AuthenticationInterceptor;
import io.rpcboot.core.security.CertificateAuthenticator;
import io.rpcboot.core.security.RpcAuthenticator;
import io.rpcboot.core.RpcPrincipal;
import io.rpcboot.core.security.TokenAuthenticator;
import io.rpcboot.core.tls.TlsConfig;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.annotation.Order;
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
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.boot.thread.Threading;
import org.springframework.core.env.Environment;
import org.springframework.context.annotation.Bean;

/**
 * The {@link RpcServer} that publishes {@code @RpcProvider} beans, unless {@code rpc.server.enabled=false}
 * (it listens only when there are some, or with {@code rpc.server.enabled=true}):
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
                        ObjectProvider<RpcServerCustomizer> customizers, RpcTlsConfigurations tls,
                        Environment environment) {
        RpcProperties.Server p = properties.getServer();
        // Boot's switch (spring.threads.virtual.enabled), on a JDK that has virtual threads
        boolean bootVirtualThreads = Threading.VIRTUAL.isActive(environment);
        RpcServer.Builder builder = RpcServer.builder()
                .config(RpcConfigurations.server(p, tls.server(p.getSsl()), bootVirtualThreads))
                .registry(registry).serializations(serializations).metrics(metrics).resources(resources)
                .interceptors(interceptors.orderedStream().toList());
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            if (message.startsWith("udpEnabled ")) { // with authentication: name the property
                throw RpcConfigurations.invalid("rpc.server.udp.enabled", true, message);
            }
            throw e;
        }
    }

    /**
     * Authenticates every call when {@code rpc.server.auth.tokens} or certificate authentication is
     * configured; it runs right after the observation interceptors, before the application's own.
     */
    @Bean
    @Order(RpcObservationAutoConfiguration.ORDER + 100)
    @ConditionalOnMissingBean
    @Conditional(OnServerAuthentication.class)
    AuthenticationInterceptor rpcAuthenticationInterceptor(RpcProperties properties) {
        RpcServerAuthProperties auth = properties.getServer().getAuth();
        List<RpcAuthenticator> authenticators = new ArrayList<>();
        if (!auth.getTokens().isEmpty()) {
            Map<String, RpcPrincipal> tokens = new LinkedHashMap<>();
            auth.getTokens().forEach((name, t) -> {
                if (t.getToken().isBlank()) {
                    throw RpcConfigurations.invalid("rpc.server.auth.tokens." + name + ".token", "", "the token of "
                            + name + " is empty; set it (from an environment variable or a secret store)");
                }
                tokens.put(t.getToken(), new RpcPrincipal(name, new LinkedHashSet<>(t.getRoles()), RpcPrincipal.TOKEN));
            });
            authenticators.add(new TokenAuthenticator(tokens));
        }
        if (auth.getCertificate().isEnabled()) {
            Map<String, Set<String>> roles = new LinkedHashMap<>();
            auth.getCertificate().getRoles().forEach((cn, r) -> roles.put(cn, new LinkedHashSet<>(r)));
            authenticators.add(new CertificateAuthenticator(roles, auth.getCertificate().isListedOnly()));
            if (properties.getServer().getSsl().getClientAuth() == TlsConfig.ClientAuth.NONE) {
                throw RpcConfigurations.invalid("rpc.server.ssl.client-auth", "none", "rpc.server.auth.certificate.enabled"
                        + " needs client certificates: set rpc.server.ssl.client-auth to need (or want) and a bundle");
            }
        }
        return new AuthenticationInterceptor(authenticators, auth.isRequired());
    }

    @Bean
    @ConditionalOnMissingBean
    RpcServerLifecycle rpcServerLifecycle(RpcServer server, RpcServiceCatalog catalog, RpcProperties properties,
                                          ApplicationEventPublisher events, Environment environment) {
        java.time.Duration drain = properties.getServer().getDrainTimeout();
        java.time.Duration phase = org.springframework.boot.context.properties.bind.Binder.get(environment)
                .bind("spring.lifecycle.timeout-per-shutdown-phase", java.time.Duration.class)
                .orElse(java.time.Duration.ofSeconds(30));
        if (drain.compareTo(phase) > 0) {
            org.slf4j.LoggerFactory.getLogger(RpcServerLifecycle.class).warn("rpc.server.drain-timeout ({}) is longer"
                    + " than spring.lifecycle.timeout-per-shutdown-phase ({}): Spring Boot stops waiting for the"
                    + " drain first and closes what is left; keep the drain timeout below it", drain, phase);
        }
        return new RpcServerLifecycle(server, catalog, Boolean.TRUE.equals(properties.getServer().getEnabled()), events);
    }
}
