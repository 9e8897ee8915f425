package io.rpcboot.core.tls;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import org.jspecify.annotations.Nullable;

/**
 * Immutable, validated TLS settings of one side. A server with a {@code TlsConfig} accepts only TLS;
 * a client with one speaks only TLS, whatever a registration says about the instance (no downgrade).
 *
 * <p>The context supplier is asked once per new connection, on the connecting or accepting loop; it
 * must be quick (return a prepared context). Swapping what it returns rotates certificates: new
 * handshakes use the new context, open connections keep theirs.
 */
public final class TlsConfig {

    /** What a server asks of its clients' certificates. */
    public enum ClientAuth {
        /** No client certificate is requested. */
        NONE,
        /** A certificate is requested; a client without one is still accepted (an authenticator may refuse its calls). */
        WANT,
        /** A client without a trusted certificate fails the handshake (mutual TLS). */
        NEED
    }

    /** TLS 1.3, then 1.2. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Room for certificate chains of a few certificates each way; a handshake needing more is refused. */
    public static final int DEFAULT_MAX_HANDSHAKE_BYTES = 64 * 1024;

    private final Supplier<SSLContext> context;
    private final ClientAuth clientAuth;
    private final List<String> protocols;
    private final List<String> cipherSuites;
    private final @Nullable String serverName;
    private final boolean verifyHostname;
    private final Duration handshakeTimeout;
    private final int maxHandshakeBytes;

    private TlsConfig(Builder b) {
        this.context = Objects.requireNonNull(b.context, "context");
        this.clientAuth = Objects.requireNonNull(b.clientAuth, "clientAuth");
        this.protocols = List.copyOf(b.protocols);
        this.cipherSuites = List.copyOf(b.cipherSuites);
        this.serverName = b.serverName;
        this.verifyHostname = b.verifyHostname;
        this.handshakeTimeout = Objects.requireNonNull(b.handshakeTimeout, "handshakeTimeout");
        this.maxHandshakeBytes = b.maxHandshakeBytes;
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("protocols must name at least one TLS version, e.g. " + DEFAULT_PROTOCOLS);
        }
        for (String p : protocols) {
            if (!p.startsWith("TLSv1.2") && !p.startsWith("TLSv1.3")) {
                throw new IllegalArgumentException("protocols may hold TLSv1.3 and TLSv1.2 only, was " + protocols);
            }
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be > 0, was " + handshakeTimeout);
        }
        if (maxHandshakeBytes < 4096) {
            throw new IllegalArgumentException("maxHandshakeBytes must be >= 4096, was " + maxHandshakeBytes);
        }
        if (serverName != null && serverName.isBlank()) {
            throw new IllegalArgumentException("serverName must not be blank (null uses the host connected to)");
        }
        checkSupported(context());
    }

    /** An unknown protocol or cipher suite fails here, naming it, rather than at the first handshake. */
    private void checkSupported(SSLContext context) {
        javax.net.ssl.SSLEngine probe = context.createSSLEngine();
        try {
            probe.setEnabledProtocols(protocols.toArray(String[]::new));
            if (!cipherSuites.isEmpty()) {
                probe.setEnabledCipherSuites(cipherSuites.toArray(String[]::new));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("protocols and cipher suites must be ones the TLS context supports ("
                    + e.getMessage() + "), was " + protocols + " " + cipherSuites, e);
        }
    }

    /** Settings that take their {@code SSLContext} from {@code context} (asked per new connection). */
    public static Builder builder(Supplier<SSLContext> context) {
        return new Builder(Objects.requireNonNull(context, "context"));
    }

    /** Settings with one fixed context. */
    public static Builder builder(SSLContext context) {
        Objects.requireNonNull(context, "context");
        return new Builder(() -> context);
    }

    /** The context for a new connection. */
    public SSLContext context() {
        return Objects.requireNonNull(context.get(), "the TLS context supplier returned null");
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    public List<String> protocols() {
        return protocols;
    }

    /** Cipher suites to enable; empty keeps the JDK's defaults for the protocols. */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /**
     * The name a client expects in the server's certificate (and sends as SNI); null means the host
     * it connects to.
     */
    public @Nullable String serverName() {
        return serverName;
    }

    /** Whether a client checks that the server's certificate names the server (on by default). */
    public boolean verifyHostname() {
        return verifyHostname;
    }

    /** How long a handshake may take, from the TCP connection to its end. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** Bytes a peer may send during a handshake. */
    public int maxHandshakeBytes() {
        return maxHandshakeBytes;
    }

    @Override
    public String toString() {
        return "TlsConfig[protocols=" + protocols + ", clientAuth=" + clientAuth
                + (serverName != null ? ", serverName=" + serverName : "") + ", verifyHostname=" + verifyHostname + "]";
    }

    /** Collects settings; {@link #build()} validates them. */
    public static final class Builder {
        private final Supplier<SSLContext> context;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private List<String> protocols = DEFAULT_PROTOCOLS;
        private List<String> cipherSuites = List.of();
        private @Nullable String serverName;
        private boolean verifyHostname = true;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private int maxHandshakeBytes = DEFAULT_MAX_HANDSHAKE_BYTES;

        private Builder(Supplier<SSLContext> context) {
            this.context = context;
        }

        /** Server side: whether client certificates are requested or required. */
        public Builder clientAuth(ClientAuth clientAuth) {
            this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
            return this;
        }

        public Builder protocols(List<String> protocols) {
            this.protocols = Objects.requireNonNull(protocols, "protocols");
            return this;
        }

        public Builder cipherSuites(List<String> cipherSuites) {
            this.cipherSuites = Objects.requireNonNull(cipherSuites, "cipherSuites");
            return this;
        }

        /** Client side: the name expected in the server's certificate; null means the host connected to. */
        public Builder serverName(@Nullable String serverName) {
            this.serverName = serverName;
            return this;
        }

        /** Client side: turning this off accepts any certificate the trust store trusts, whatever name it holds. */
        public Builder verifyHostname(boolean verifyHostname) {
            this.verifyHostname = verifyHostname;
            return this;
        }

        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
            return this;
        }

        public Builder maxHandshakeBytes(int maxHandshakeBytes) {
            this.maxHandshakeBytes = maxHandshakeBytes;
            return this;
        }

        public TlsConfig build() {
            return new TlsConfig(this);
        }
    }
}
