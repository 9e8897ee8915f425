package io.rpcboot.autoconfigure.security;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcStatusException;
import io.rpcboot.core.intercept.ServerCall;
import io.rpcboot.core.intercept.ServerInterceptor;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.security.AuthenticationInterceptor;
import io.rpcboot.core.RpcPrincipal;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.authorization.method.PreAuthorizeAuthorizationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.util.SimpleMethodInvocation;

/**
 * Makes the principal of an rpc call (from {@link AuthenticationInterceptor}) the Spring Security
 * {@code SecurityContext} while the provider method runs, on whatever thread runs it, and clears it
 * afterwards. Before proceeding it checks the method's {@code @PreAuthorize}: a caller it refuses
 * gets {@link RpcStatus#PERMISSION_DENIED} (or {@link RpcStatus#UNAUTHENTICATED} without a principal)
 * and the method does not run. An {@code AccessDeniedException} thrown once the method runs (by its
 * body, or a later security proxy) is the method's error: it ran.
 */
public final class SecurityContextServerInterceptor implements ServerInterceptor {

    private final Function<ServiceKey, @Nullable Object> providers;
    private final PreAuthorizeAuthorizationManager preAuthorize;

    /**
     * @param providers    the provider object serving a service (to find its {@code @PreAuthorize})
     * @param preAuthorize evaluates {@code @PreAuthorize} as Spring Security's method security does
     */
    public SecurityContextServerInterceptor(Function<ServiceKey, @Nullable Object> providers,
                                            PreAuthorizeAuthorizationManager preAuthorize) {
        this.providers = providers;
        this.preAuthorize = preAuthorize;
    }

    @Override
    public CompletionStage<@Nullable Object> intercept(Chain chain) {
        ServerCall call = chain.call();
        RpcPrincipal principal = AuthenticationInterceptor.principalOf(call);
        Authentication authentication = principal == null ? null : authentication(principal);
        SecurityContextHolderStrategy strategy = SecurityContextHolder.getContextHolderStrategy();
        SecurityContext context = strategy.createEmptyContext();
        context.setAuthentication(authentication);
        strategy.setContext(context);
        try {
            checkPreAuthorize(call, authentication, principal);
            return chain.proceed();
        } finally {
            strategy.clearContext(); // a pooled thread carries no caller into its next task
        }
    }

    private void checkPreAuthorize(ServerCall call, @Nullable Authentication authentication,
                                   @Nullable RpcPrincipal principal) {
        Object provider = providers.apply(call.service());
        if (provider == null) {
            return;
        }
        Method method = call.method().javaMethod();
        AuthorizationResult result;
        try {
            result = preAuthorize.authorize(() -> authentication,
                    new SimpleMethodInvocation(provider, method, call.arguments()));
        } catch (AuthenticationException e) {
            throw new RpcStatusException(RpcStatus.UNAUTHENTICATED, call.method().key() + " needs an"
                    + " authenticated caller (@PreAuthorize)");
        }
        if (result != null && !result.isGranted()) {
            throw new RpcStatusException(principal == null ? RpcStatus.UNAUTHENTICATED : RpcStatus.PERMISSION_DENIED,
                    (principal == null ? "an anonymous caller" : principal.name()) + " may not call "
                            + call.service().interfaceName() + "." + call.method().key() + " (@PreAuthorize)");
        }
    }

    private static Authentication authentication(RpcPrincipal principal) {
        List<SimpleGrantedAuthority> authorities = principal.roles().stream().sorted()
                .map(role -> new SimpleGrantedAuthority(role.startsWith("ROLE_") ? role : "ROLE_" + role)).toList();
        return UsernamePasswordAuthenticationToken.authenticated(principal, null, authorities);
    }
}
