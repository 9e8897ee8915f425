package io.rpcboot.core;

import java.util.Objects;
import java.util.Set;

/**
 * An authenticated caller.
 *
 * @param name   who it is (a token's configured name, a certificate's common name)
 * @param roles  what it may do, as plain role names ({@code admin}, not {@code ROLE_admin})
 * @param scheme how it proved it: {@link #TOKEN}, {@link #CERTIFICATE}, or an authenticator's own word
 */
public record RpcPrincipal(String name, Set<String> roles, String scheme) implements java.security.Principal {

    public static final String TOKEN = "token";
    public static final String CERTIFICATE = "certificate";

    public RpcPrincipal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scheme, "scheme");
        roles = Set.copyOf(roles);
    }

    @Override
    public String getName() {
        return name;
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
