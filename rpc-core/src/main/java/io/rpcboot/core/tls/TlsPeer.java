package io.rpcboot.core.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

import javax.security.auth.x500.X500Principal;

import org.jspecify.annotations.Nullable;

/**
 * What a finished TLS handshake says about the other side of a connection: the protocol and cipher
 * suite agreed, and the certificate chain the peer presented (empty when it presented none).
 *
 * @param protocol    e.g. {@code TLSv1.3}
 * @param cipherSuite e.g. {@code TLS_AES_128_GCM_SHA256}
 * @param certificates the peer's chain, its own certificate first; empty if it sent none
 */
public record TlsPeer(String protocol, String cipherSuite, List<X509Certificate> certificates) {

    public TlsPeer {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(cipherSuite, "cipherSuite");
        certificates = List.copyOf(certificates);
    }

    /** From the peer certificates of a session ({@code null} when the peer was not authenticated). */
    public static TlsPeer of(String protocol, String cipherSuite, Certificate @Nullable [] chain) {
        List<X509Certificate> certs = new java.util.ArrayList<>();
        if (chain != null) {
            for (Certificate c : chain) {
                if (c instanceof X509Certificate x) {
                    certs.add(x);
                }
            }
        }
        return new TlsPeer(protocol, cipherSuite, certs);
    }

    /** The peer's own certificate, or null if it presented none. */
    public @Nullable X509Certificate certificate() {
        return certificates.isEmpty() ? null : certificates.get(0);
    }

    /** The subject of the peer's certificate, or null if it presented none. */
    public @Nullable X500Principal subject() {
        X509Certificate c = certificate();
        return c == null ? null : c.getSubjectX500Principal();
    }
}
