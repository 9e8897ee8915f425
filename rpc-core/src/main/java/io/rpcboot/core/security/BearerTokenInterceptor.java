package io.rpcboot.core.security;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import io.rpcboot.core.intercept.ClientCall;
import io.rpcboot.core.intercept.ClientInterceptor;
import org.jspecify.annotations.Nullable;

/**
 * Sends a bearer token with every call, in the {@value TokenAuthenticator#METADATA_KEY} metadata.
 * The token comes from a function of the call, asked once per call on the caller's thread (a token
 * that expires can be refreshed there); null sends none.
 */
public final class BearerTokenInterceptor implements ClientInterceptor {

    private final Function<ClientCall, @Nullable String> tokens;

    public BearerTokenInterceptor(Function<ClientCall, @Nullable String> tokens) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    /** Sends the same token with every call. */
    public static BearerTokenInterceptor of(String token) {
        if (token.isBlank()) {
            throw new IllegalArgumentException("the bearer token must not be blank");
        }
        return new BearerTokenInterceptor(call -> token);
    }

    @Override
    public CompletionStage<@Nullable Object> intercept(Chain chain) {
        String token = tokens.apply(chain.call());
        if (token != null) {
            chain.call().metadata().put(TokenAuthenticator.METADATA_KEY, TokenAuthenticator.BEARER + token);
        }
        return chain.proceed();
    }

    @Override
    public String toString() {
        return "BearerTokenInterceptor"; // never the token
    }
}
