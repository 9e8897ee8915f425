/**
 * Who is calling, on the server: {@link io.rpcboot.core.security.RpcAuthenticator}s turn what a call
 * carries (a bearer token in its metadata, the client certificate of its TLS connection) into an
 * {@link io.rpcboot.core.RpcPrincipal}, and {@link io.rpcboot.core.security.AuthenticationInterceptor}
 * refuses calls none of them accepts with {@code UNAUTHENTICATED}, before the method runs. The
 * provider reads the principal with {@link io.rpcboot.core.RpcContext#principal()}. On the client,
 * {@link io.rpcboot.core.security.BearerTokenInterceptor} sends a token with every call.
 */
@NullMarked
package io.rpcboot.core.security;

import org.jspecify.annotations.NullMarked;
