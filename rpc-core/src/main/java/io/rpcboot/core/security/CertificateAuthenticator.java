package io.rpcboot.core.security;

import io.rpcboot.core.RpcPrincipal;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Set;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcStatusException;
import io.rpcboot.core.intercept.ServerCall;
import io.rpcboot.core.tls.TlsPeer;
import org.jspecify.annotations.Nullable;

/**
 * Accepts the client certificate of a mutual-TLS connection (the handshake already checked it
 * against the server's trust store): the principal is the certificate subject's common name, with the
 * roles configured for that name. With {@code listedOnly}, a trusted certificate whose name is not
 * listed is refused.
 */
public final class CertificateAuthenticator implements RpcAuthenticator {

    private final Map<String, Set<String>> rolesByName;
    private final boolean listedOnly;

    public CertificateAuthenticator(Map<String, Set<String>> rolesByName, boolean listedOnly) {
        this.rolesByName = Map.copyOf(rolesByName);
        this.listedOnly = listedOnly;
    }

    @Override
    public @Nullable RpcPrincipal authenticate(ServerCall call) {
        TlsPeer peer = call.tlsPeer();
        X509Certificate certificate = peer == null ? null : peer.certificate();
        if (certificate == null) {
            return null;
        }
        String name = commonName(certificate);
        Set<String> roles = rolesByName.get(name);
        if (roles == null && listedOnly) {
            throw new RpcStatusException(RpcStatus.UNAUTHENTICATED, "the client certificate of " + name
                    + " is trusted but not among the certificates this server accepts");
        }
        return new RpcPrincipal(name, roles == null ? Set.of() : roles, RpcPrincipal.CERTIFICATE);
    }

    /** The subject's CN, or the whole subject when it has none. */
    static String commonName(X509Certificate certificate) {
        String subject = certificate.getSubjectX500Principal().getName();
        try {
            for (Rdn rdn : new LdapName(subject).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            // an unusual subject: use it whole
        }
        return subject;
    }
}
