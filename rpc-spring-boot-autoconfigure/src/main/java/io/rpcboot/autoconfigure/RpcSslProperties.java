package io.rpcboot.autoconfigure;

import java.time.Duration;

import io.rpcboot.core.tls.TlsConfig;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;

/**
 * TLS from a Spring Boot SSL bundle ({@code spring.ssl.bundle.*}): {@code rpc.server.ssl.*} and
 * {@code rpc.client.ssl.*}. A bundle with {@code reload-on-update} rotates certificates without a
 * restart: new connections use the new ones.
 */
public class RpcSslProperties {

    /**
     * Name of the SSL bundle (spring.ssl.bundle.jks.NAME or spring.ssl.bundle.pem.NAME) to use; empty
     * means no TLS.
     */
    private String bundle = "";

    /**
     * Server only: whether clients must present a certificate the bundle's trust store trusts (need:
     * mutual TLS), may present one (want), or are not asked (none).
     */
    private TlsConfig.ClientAuth clientAuth = TlsConfig.ClientAuth.NONE;

    /**
     * Client only: the name expected in the server's certificate (and sent as SNI); empty means the
     * host connected to.
     */
    private String serverName = "";

    /** Client only: whether the server's certificate must name the server. Turn off only for tests. */
    private boolean verifyHostname = true;

    /** How long a TLS handshake may take; a peer that stalls its handshake is disconnected then. */
    private Duration handshakeTimeout = Duration.ofSeconds(10);

    /** Bytes a peer may send during a TLS handshake; room for certificate chains of a few certificates. */
    private DataSize maxHandshakeSize = DataSize.ofKilobytes(64);

    public String getBundle() {
        return bundle;
    }

    public void setBundle(String bundle) {
        this.bundle = bundle;
    }

    public boolean isEnabled() {
        return !bundle.isBlank();
    }

    public TlsConfig.ClientAuth getClientAuth() {
        return clientAuth;
    }

    public void setClientAuth(TlsConfig.ClientAuth clientAuth) {
        this.clientAuth = clientAuth;
    }

    public String getServerName() {
        return serverName;
    }

    public void setServerName(String serverName) {
        this.serverName = serverName;
    }

    public @Nullable String serverNameOrNull() {
        return serverName.isBlank() ? null : serverName;
    }

    public boolean isVerifyHostname() {
        return verifyHostname;
    }

    public void setVerifyHostname(boolean verifyHostname) {
        this.verifyHostname = verifyHostname;
    }

    public Duration getHandshakeTimeout() {
        return handshakeTimeout;
    }

    public void setHandshakeTimeout(Duration handshakeTimeout) {
        this.handshakeTimeout = handshakeTimeout;
    }

    public DataSize getMaxHandshakeSize() {
        return maxHandshakeSize;
    }

    public void setMaxHandshakeSize(DataSize maxHandshakeSize) {
        this.maxHandshakeSize = maxHandshakeSize;
    }
}
