package io.rpcboot.core.security;

import io.rpcboot.core.RpcPrincipal;
import io.rpcboot.core.RpcStatusException;
import io.rpcboot.core.intercept.ServerCall;
import org.jspecify.annotations.Nullable;

/**
 * Turns what a call carries into a principal. Runs on the thread that serves the call, before the
 * method, once per call per authenticator until one answers.
 */
@FunctionalInterface
public interface RpcAuthenticator {

    /**
     * @return the caller, or null when the call carries no credentials of this authenticator's kind
     *         (the next authenticator tries)
     * @throws RpcStatusException with {@link io.rpcboot.core.RpcStatus#UNAUTHENTICATED} when the call
     *         carries credentials of this kind that are not valid (its message goes to the client: no secrets)
     */
    @Nullable RpcPrincipal authenticate(ServerCall call);
}
