package io.rpcboot.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLContext;

import io.rpcboot.core.tls.TlsConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

/**
 * Turns {@code rpc.server.ssl.*}, {@code rpc.client.ssl.*} and {@code @RpcReference(sslBundle)} into
 * core {@link TlsConfig}s backed by Spring Boot SSL bundles. Each bundle's context is kept in one
 * place and replaced when Boot reloads the bundle ({@code reload-on-update}): new handshakes use the
 * new certificates, open connections keep theirs.
 */
public final class RpcTlsConfigurations {

    private static final Logger log = LoggerFactory.getLogger(RpcTlsConfigurations.class);

    private final ObjectProvider<SslBundles> bundles;
    private final Map<String, AtomicReference<SSLContext>> contexts = new ConcurrentHashMap<>();

    public RpcTlsConfigurations(ObjectProvider<SslBundles> bundles) {
        this.bundles = bundles;
    }

    /** The server's TLS, or null without {@code rpc.server.ssl.bundle}. */
    public @Nullable TlsConfig server(RpcServerSslProperties p) {
        return p.isEnabled() ? build("rpc.server.ssl", "rpc.server.ssl.bundle", p.getBundle(), p, b -> b.clientAuth(p.getClientAuth())) : null;
    }

    /** The client's TLS, or null without {@code rpc.client.ssl.bundle}. */
    public @Nullable TlsConfig client(RpcClientSslProperties p) {
        return p.isEnabled() ? build("rpc.client.ssl", "rpc.client.ssl.bundle", p.getBundle(), p, clientSide(p)) : null;
    }

    /** A reference's own TLS: the client's settings with another bundle. */
    public TlsConfig reference(String bundle, RpcClientSslProperties clientDefaults, String where) {
        return build("rpc.client.ssl", where, bundle, clientDefaults, clientSide(clientDefaults));
    }

    private static java.util.function.Consumer<TlsConfig.Builder> clientSide(RpcClientSslProperties p) {
        return b -> b.serverName(p.serverNameOrNull()).verifyHostname(p.isVerifyHostname());
    }

    private TlsConfig build(String prefix, String bundleProperty, String name, RpcSslProperties p,
                            java.util.function.Consumer<TlsConfig.Builder> side) {
        SslBundles registry = bundles.getIfAvailable();
        if (registry == null) {
            throw RpcConfigurations.invalid(bundleProperty, name, "no SSL bundles are configured (Spring Boot's"
                    + " SslAutoConfiguration did not run)");
        }
        SslBundle bundle;
        try {
            bundle = registry.getBundle(name);
        } catch (NoSuchSslBundleException e) {
            throw RpcConfigurations.invalid(bundleProperty, name, "there is no SSL bundle named '" + name
                    + "'; define spring.ssl.bundle.pem." + name + ".* or spring.ssl.bundle.jks." + name + ".*");
        }
        AtomicReference<SSLContext> context = contexts.computeIfAbsent(name, n -> {
            AtomicReference<SSLContext> ref = new AtomicReference<>(createContext(bundleProperty, n, bundle));
            registry.addBundleUpdateHandler(n, updated -> {
                try {
                    ref.set(updated.createSslContext());
                    log.info("SSL bundle '{}' was updated: new rpc connections use its new certificates", n);
                } catch (RuntimeException e) {
                    log.warn("SSL bundle '{}' was updated but its new certificates cannot be used; rpc connections keep"
                            + " the previous ones", n, e);
                }
            });
            return ref;
        });
        TlsConfig.Builder b = TlsConfig.builder(context::get).handshakeTimeout(p.getHandshakeTimeout())
                .maxHandshakeBytes(RpcConfigurations.toInt(prefix + ".max-handshake-size", p.getMaxHandshakeSize()));
        SslOptions options = bundle.getOptions();
        if (options.getEnabledProtocols() != null) {
            b.protocols(List.of(options.getEnabledProtocols()));
        }
        if (options.getCiphers() != null) {
            b.cipherSuites(List.of(options.getCiphers()));
        }
        side.accept(b);
        return RpcConfigurations.build(parameter -> switch (parameter) {
            case "protocols", "cipherSuites" -> "spring.ssl.bundle.*." + name + ".options";
            case "maxHandshakeBytes" -> prefix + ".max-handshake-size";
            default -> prefix + "." + RpcConfigurations.kebab(parameter);
        }, b::build);
    }

    private static SSLContext createContext(String bundleProperty, String name, SslBundle bundle) {
        try {
            return bundle.createSslContext();
        } catch (RuntimeException e) {
            throw RpcConfigurations.invalid(bundleProperty, name, "its SSL context cannot be made: " + e.getMessage());
        }
    }
}
