package io.rpcboot.autoconfigure;

import java.time.Duration;

import org.springframework.util.unit.DataSize;

/**
 * TLS from a Spring Boot SSL bundle ({@code spring.ssl.bundle.*}), what {@code rpc.server.ssl.*}
 * ({@link RpcServerSslProperties}) and {@code rpc.client.ssl.*} ({@link RpcClientSslProperties}) share. A bundle with {@code reload-on-update} rotates certificates without a
 * restart: new connections use the new ones.
 */
public abstract class RpcSslProperties {

    /**
     * Name of the SSL bundle (spring.ssl.bundle.jks.NAME or spring.ssl.bundle.pem.NAME) to use; empty
     * means no TLS.
     */
    private String bundle = "";

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
