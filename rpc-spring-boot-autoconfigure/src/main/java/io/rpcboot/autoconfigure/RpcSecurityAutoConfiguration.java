package io.rpcboot.autoconfigure;

import io.rpcboot.autoconfigure.security.SecurityContextServerInterceptor;
import io.rpcboot.core.server.RpcServer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import io.rpcboot.core.registry.ServiceKey;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.security.access.expression.method.DefaultMethodSecurityExpressionHandler;
import org.springframework.security.access.expression.method.MethodSecurityExpressionHandler;
import org.springframework.security.authorization.method.PreAuthorizeAuthorizationManager;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * With Spring Security on the class path, provider calls run with the rpc caller as their
 * {@code SecurityContext} and their {@code @PreAuthorize} is checked before they run
 * ({@code rpc.server.auth.spring-security=false} turns this off). The interceptor runs after
 * authentication and before the application's own interceptors.
 */
@AutoConfiguration(after = RpcServerAutoConfiguration.class)
@ConditionalOnClass({SecurityContextHolder.class, PreAuthorizeAuthorizationManager.class, RpcServer.class})
@ConditionalOnBooleanProperty(name = "rpc.server.auth.spring-security", matchIfMissing = true)
public class RpcSecurityAutoConfiguration {

    @Bean
    @Order(RpcObservationAutoConfiguration.ORDER + 200)
    @ConditionalOnMissingBean
    SecurityContextServerInterceptor rpcSecurityContextServerInterceptor(ObjectProvider<RpcServiceCatalog> catalog,
            ObjectProvider<MethodSecurityExpressionHandler> expressionHandler, ApplicationContext context) {
        PreAuthorizeAuthorizationManager preAuthorize = new PreAuthorizeAuthorizationManager();
        MethodSecurityExpressionHandler handler = expressionHandler.getIfAvailable(() -> {
            DefaultMethodSecurityExpressionHandler h = new DefaultMethodSecurityExpressionHandler();
            h.setApplicationContext(context);
            return h;
        });
        preAuthorize.setExpressionHandler(handler);
        preAuthorize.setApplicationContext(context);
        return new SecurityContextServerInterceptor(new ProvidersByKey(catalog), preAuthorize);
    }

    /**
     * The provider object of each service, read from the catalog on the first call (the catalog is
     * complete once the singletons exist, before the server serves anything).
     */
    private static final class ProvidersByKey implements Function<ServiceKey, @Nullable Object> {
        private final ObjectProvider<RpcServiceCatalog> catalog;
        private volatile @Nullable Map<ServiceKey, Object> byKey;

        ProvidersByKey(ObjectProvider<RpcServiceCatalog> catalog) {
            this.catalog = catalog;
        }

        @Override
        public @Nullable Object apply(ServiceKey key) {
            Map<ServiceKey, Object> m = byKey;
            if (m == null) {
                RpcServiceCatalog c = catalog.getIfAvailable();
                m = new HashMap<>();
                if (c != null) {
                    for (RpcServiceCatalog.Provider p : c.providers()) {
                        m.put(p.definition().key(), p.definition().implementation());
                    }
                }
                byKey = m;
            }
            return m.get(key);
        }
    }
}
