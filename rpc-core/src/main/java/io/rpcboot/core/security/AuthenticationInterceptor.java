package io.rpcboot.core.security;

import io.rpcboot.core.RpcPrincipal;
import java.util.List;
import java.util.concurrent.CompletionStage;

import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcStatusException;
import io.rpcboot.core.intercept.ServerCall;
import io.rpcboot.core.intercept.ServerInterceptor;
import io.rpcboot.core.internal.context.CallScope;
import org.jspecify.annotations.Nullable;

/**
 * Authenticates every call before its method runs: the first authenticator that returns a principal
 * wins; a call none accepts is answered {@link RpcStatus#UNAUTHENTICATED} (or, when
 * {@code required} is off, runs without a principal). The principal is in the call's attributes
 * under {@link #PRINCIPAL} for later interceptors, and {@link io.rpcboot.core.RpcContext#principal()}
 * returns it while the method runs. Put it first among the server's interceptors.
 */
public final class AuthenticationInterceptor implements ServerInterceptor {

    /** The attribute key of the principal. */
    public static final String PRINCIPAL = "rpc.principal";

    private final List<RpcAuthenticator> authenticators;
    private final boolean required;

    public AuthenticationInterceptor(List<RpcAuthenticator> authenticators, boolean required) {
        this.authenticators = List.copyOf(authenticators);
        this.required = required;
        if (this.authenticators.isEmpty() && required) {
            throw new IllegalArgumentException("authentication is required but no authenticator is configured");
        }
    }

    @Override
    public CompletionStage<@Nullable Object> intercept(Chain chain) {
        ServerCall call = chain.call();
        RpcPrincipal principal = authenticate(call);
        if (principal == null) {
            return chain.proceed();
        }
        call.attributes().put(PRINCIPAL, principal);
        CallScope scope = CallScope.current();
        java.security.Principal previous = scope.principal;
        scope.principal = principal;
        try {
            return chain.proceed();
        } finally {
            scope.principal = previous;
        }
    }

    /**
     * The principal of {@code call}'s credentials: the first authenticator's that accepts them; null
     * when none does and authentication is not required.
     *
     * @throws RpcStatusException {@link RpcStatus#UNAUTHENTICATED} when none does and it is required,
     *                            or when an authenticator refuses the credentials
     */
    public @Nullable RpcPrincipal authenticate(ServerCall call) {
        for (RpcAuthenticator a : authenticators) {
            RpcPrincipal principal = a.authenticate(call);
            if (principal != null) {
                return principal;
            }
        }
        if (required) {
            throw new RpcStatusException(RpcStatus.UNAUTHENTICATED, "the call to " + call.method().key()
                    + " carries no credentials this server accepts (a bearer token"
                    + (call.tlsPeer() != null ? " or a client certificate)" : "; TLS client certificates need TLS)"));
        }
        return null;
    }

    /** The principal an earlier {@code AuthenticationInterceptor} put on {@code call}, or null. */
    public static @Nullable RpcPrincipal principalOf(ServerCall call) {
        return call.attributes().get(PRINCIPAL) instanceof RpcPrincipal p ? p : null;
    }
}
