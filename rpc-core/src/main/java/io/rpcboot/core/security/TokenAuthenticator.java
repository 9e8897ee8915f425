package io.rpcboot.core.security;

import io.rpcboot.core.RpcPrincipal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;

import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcStatusException;
import io.rpcboot.core.intercept.ServerCall;
import org.jspecify.annotations.Nullable;

/**
 * Accepts the bearer tokens it was given, in the call's {@value #METADATA_KEY} metadata as
 * {@code Bearer <token>}. Tokens are kept as SHA-256 digests and compared by digest, so the time a
 * lookup takes says nothing about how close a guess was.
 */
public final class TokenAuthenticator implements RpcAuthenticator {

    /** The metadata key a client sends its token under. */
    public static final String METADATA_KEY = "authorization";
    public static final String BEARER = "Bearer ";

    private final Map<String, RpcPrincipal> byDigest = new HashMap<>();

    /** @param principals each accepted token and the principal it stands for */
    public TokenAuthenticator(Map<String, RpcPrincipal> principals) {
        principals.forEach((token, principal) -> {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("a token must not be blank (principal " + principal.name() + ")");
            }
            byDigest.put(digest(token), principal);
        });
    }

    @Override
    public @Nullable RpcPrincipal authenticate(ServerCall call) {
        String header = call.metadata().get(METADATA_KEY);
        if (header == null) {
            return null;
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new RpcStatusException(RpcStatus.UNAUTHENTICATED, "the " + METADATA_KEY
                    + " metadata is not a bearer token");
        }
        RpcPrincipal principal = byDigest.get(digest(header.substring(BEARER.length()).strip()));
        if (principal == null) {
            throw new RpcStatusException(RpcStatus.UNAUTHENTICATED, "the bearer token is not valid here");
        }
        return principal;
    }

    private static String digest(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
