package io.rpcboot.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code rpc.server.auth.*}: who may call this server. With tokens or certificate authentication
 * configured, every call must carry credentials one of them accepts (unless {@code required=false}),
 * or it is answered UNAUTHENTICATED before its method runs.
 */
public class RpcServerAuthProperties {

    /** Whether a call without credentials this server accepts is refused; false lets it run without a principal. */
    private boolean required = true;

    /**
     * Bearer tokens this server accepts, by the principal name they stand for: tokens.NAME.token
     * (keep it in an environment variable or a secret store) and tokens.NAME.roles.
     */
    private Map<String, Token> tokens = new LinkedHashMap<>();

    /** Client certificates of mutual TLS as principals (their subject's common name). */
    private Certificate certificate = new Certificate();

    public boolean isRequired() {
        return required;
    }

    public void setRequired(boolean required) {
        this.required = required;
    }

    public Map<String, Token> getTokens() {
        return tokens;
    }

    public void setTokens(Map<String, Token> tokens) {
        this.tokens = tokens;
    }

    public Certificate getCertificate() {
        return certificate;
    }

    public void setCertificate(Certificate certificate) {
        this.certificate = certificate;
    }

    /** Whether any authenticator is configured. */
    public boolean isConfigured() {
        return !tokens.isEmpty() || certificate.isEnabled();
    }

    /** One accepted bearer token. */
    public static class Token {

        /** The token itself. */
        private String token = "";

        /** Roles of the principal (for @PreAuthorize("hasRole('x')") with Spring Security). */
        private List<String> roles = new ArrayList<>();

        public String getToken() {
            return token;
        }

        public void setToken(String token) {
            this.token = token;
        }

        public List<String> getRoles() {
            return roles;
        }

        public void setRoles(List<String> roles) {
            this.roles = roles;
        }
    }

    /** Certificate authentication. */
    public static class Certificate {

        /** Whether the client certificate of a mutual-TLS connection authenticates its calls. */
        private boolean enabled;

        /** Roles by certificate common name. */
        private Map<String, List<String>> roles = new LinkedHashMap<>();

        /** Whether only the common names listed under roles are accepted (others are refused). */
        private boolean listedOnly;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Map<String, List<String>> getRoles() {
            return roles;
        }

        public void setRoles(Map<String, List<String>> roles) {
            this.roles = roles;
        }

        public boolean isListedOnly() {
            return listedOnly;
        }

        public void setListedOnly(boolean listedOnly) {
            this.listedOnly = listedOnly;
        }
    }
}
