package io.rpcboot.autoconfigure;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLSocket;

import io.rpcboot.annotation.RpcProvider;
import io.rpcboot.annotation.RpcReference;
import io.rpcboot.core.RpcContext;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.intercept.ServerInterceptor;
import io.rpcboot.core.security.BearerTokenInterceptor;
import io.rpcboot.core.RpcPrincipal;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * TLS from Spring Boot SSL bundles (PEM files made at test time), certificate rotation, bearer tokens
 * and {@code @PreAuthorize} on provider methods, each through a provider and a consumer in one context.
 */
class RpcSecurityAutoConfigurationTests {

    private static final TestCertificates CA = TestCertificates.authority("spring test CA");

    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, RpcAutoConfiguration.class,
                    RpcClientAutoConfiguration.class, RpcServerAutoConfiguration.class, RpcSecurityAutoConfiguration.class))
            .withPropertyValues("rpc.server.port=0", "rpc.server.host=127.0.0.1", "rpc.server.io-threads=1",
                    "rpc.client.io-threads=1");

    public interface Vault {
        String read();

        String rotateKeys();

        /** Who the provider saw, and what Spring Security held, while it ran. */
        String whoami();
    }

    @RpcProvider
    public static class GuardedVault implements Vault {
        final AtomicInteger adminRuns = new AtomicInteger();

        @Override
        @PreAuthorize("hasRole('reader') or hasRole('admin')")
        public String read() {
            return "secret";
        }

        @Override
        @PreAuthorize("hasRole('admin')")
        public String rotateKeys() {
            adminRuns.incrementAndGet();
            return "rotated";
        }

        @Override
        public String whoami() {
            RpcPrincipal p = RpcContext.principal();
            Authentication a = SecurityContextHolder.getContext().getAuthentication();
            return (p == null ? "-" : p.name()) + "/" + (a == null ? "-" : a.getName() + a.getAuthorities());
        }
    }

    public static class Caller {
        @RpcReference
        Vault vault;
    }

    @Configuration(proxyBeanMethods = false)
    @EnableMethodSecurity(proxyTargetClass = true)
    static class SecuredApp {
        final Map<String, String> afterCall = new ConcurrentHashMap<>();

        @Bean
        GuardedVault guardedVault() {
            return new GuardedVault();
        }

        @Bean
        Caller caller() {
            return new Caller();
        }

        /** Outermost: sees what the thread holds once the call is done. */
        @Bean
        @Order(Integer.MIN_VALUE)
        ServerInterceptor afterCallProbe() {
            return chain -> chain.proceed().whenComplete((v, e) -> {
                Authentication left = SecurityContextHolder.getContext().getAuthentication();
                afterCall.put(Thread.currentThread().getName(), String.valueOf(left));
            });
        }
    }

    private void writeServerBundle(TestCertificates.Identity server) throws IOException {
        server.writePem(dir, "server");
        Files.writeString(dir.resolve("ca.crt"), CA.pem());
    }

    private String[] tlsProperties() {
        return new String[] {
                "spring.ssl.bundle.pem.rpc-server.keystore.certificate=" + dir.resolve("server.crt"),
                "spring.ssl.bundle.pem.rpc-server.keystore.private-key=" + dir.resolve("server.key"),
                "spring.ssl.bundle.pem.rpc-server.truststore.certificate=" + dir.resolve("ca.crt"),
                "spring.ssl.bundle.pem.rpc-client.truststore.certificate=" + dir.resolve("ca.crt"),
                "rpc.server.ssl.bundle=rpc-server", "rpc.client.ssl.bundle=rpc-client"};
    }

    @Test
    void callsGoOverTlsFromPemBundles() throws IOException {
        writeServerBundle(CA.server("provider"));
        runner.withUserConfiguration(SecuredApp.class).withPropertyValues(tlsProperties()).run(context -> {
            assertThat(context).hasNotFailed();
            Vault vault = context.getBean(Caller.class).vault;
            assertThat(vault.whoami()).isEqualTo("-/-");
            assertThat(context.getBean(io.rpcboot.core.registry.ServiceRegistry.class)
                    .instances(new io.rpcboot.core.registry.ServiceKey(Vault.class.getName(), "", "")).get(0).requiresTls())
                    .isTrue();
        });
    }

    @Test
    void callsGoOverTlsFromJksBundles() throws Exception {
        char[] password = "changeit".toCharArray();
        java.security.KeyStore server = java.security.KeyStore.getInstance("PKCS12");
        server.load(null, null);
        TestCertificates.Identity identity = CA.server("provider");
        server.setKeyEntry("provider", identity.key(), password,
                new java.security.cert.Certificate[] {identity.certificate(), CA.certificate()});
        try (var out = Files.newOutputStream(dir.resolve("server.p12"))) {
            server.store(out, password);
        }
        try (var out = Files.newOutputStream(dir.resolve("trust.p12"))) {
            java.security.KeyStore trust = CA.trustStore();
            trust.store(out, password);
        }
        runner.withUserConfiguration(SecuredApp.class).withPropertyValues(
                "spring.ssl.bundle.jks.rpc-server.keystore.location=file:" + dir.resolve("server.p12"),
                "spring.ssl.bundle.jks.rpc-server.keystore.password=changeit",
                "spring.ssl.bundle.jks.rpc-server.keystore.type=PKCS12",
                "spring.ssl.bundle.jks.rpc-client.truststore.location=file:" + dir.resolve("trust.p12"),
                "spring.ssl.bundle.jks.rpc-client.truststore.password=changeit",
                "spring.ssl.bundle.jks.rpc-client.truststore.type=PKCS12",
                "rpc.server.ssl.bundle=rpc-server", "rpc.client.ssl.bundle=rpc-client").run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(Caller.class).vault.whoami()).isEqualTo("-/-");
                    assertThat(servedSerial(context.getBean(RpcServer.class).port())).isEqualTo(identity.serial());
                });
    }

    @Test
    void mutualTlsMakesTheCertificateThePrincipal() throws IOException {
        writeServerBundle(CA.server("provider"));
        CA.client("billing").writePem(dir, "client");
        runner.withUserConfiguration(SecuredApp.class).withPropertyValues(tlsProperties()).withPropertyValues(
                "spring.ssl.bundle.pem.rpc-client.keystore.certificate=" + dir.resolve("client.crt"),
                "spring.ssl.bundle.pem.rpc-client.keystore.private-key=" + dir.resolve("client.key"),
                "rpc.server.ssl.client-auth=need", "rpc.server.auth.certificate.enabled=true",
                "rpc.server.auth.certificate.roles.billing=reader").run(context -> {
                    assertThat(context).hasNotFailed();
                    Vault vault = context.getBean(Caller.class).vault;
                    assertThat(vault.whoami()).isEqualTo("billing/billing[ROLE_reader]");
                    assertThat(vault.read()).isEqualTo("secret");
                });
    }

    @Test
    void anUnknownBundleFailsStartupNamingTheProperty() {
        runner.withPropertyValues("rpc.server.ssl.bundle=missing").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("rpc.server.ssl.bundle")
                .hasMessageContaining("no SSL bundle named 'missing'"));
    }

    @Test
    void aRotatedCertificateIsPresentedByTheNextHandshakeWithoutAFailedCall() throws Exception {
        TestCertificates.Identity first = CA.server("provider-1");
        TestCertificates.Identity second = CA.server("provider-2");
        writeServerBundle(first);
        runner.withUserConfiguration(SecuredApp.class).withPropertyValues(tlsProperties())
                .withPropertyValues("spring.ssl.bundle.pem.rpc-server.reload-on-update=true",
                        "spring.ssl.bundle.watch.file.quiet-period=200ms").run(context -> {
                    assertThat(context).hasNotFailed();
                    int port = context.getBean(RpcServer.class).port();
                    assertThat(servedSerial(port)).isEqualTo(first.serial());
                    Vault vault = context.getBean(Caller.class).vault;
                    AtomicBoolean stop = new AtomicBoolean();
                    AtomicInteger calls = new AtomicInteger();
                    AtomicReference<Throwable> failure = new AtomicReference<>();
                    Thread caller = new Thread(() -> {
                        try {
                            while (!stop.get()) {
                                assertThat(vault.whoami()).isEqualTo("-/-");
                                calls.incrementAndGet();
                            }
                        } catch (Throwable t) {
                            failure.set(t);
                        }
                    });
                    caller.start();
                    try {
                        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > 50);
                        second.writePem(dir, "server");
                        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                                .until(() -> second.serial().equals(servedSerial(port)));
                        int before = calls.get();
                        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > before + 50);
                    } finally {
                        stop.set(true);
                        caller.join(10_000);
                    }
                    assertThat(failure.get()).as("a call failed during the rotation").isNull();
                });
    }

    /** The serial of the certificate a new TLS handshake with the server presents. */
    private static BigInteger servedSerial(int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) TestCertificates.context(null, CA).getSocketFactory()
                .createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private String[] tokens() {
        return new String[] {"rpc.server.auth.tokens.ops.token=ops-s3cret", "rpc.server.auth.tokens.ops.roles=admin",
                "rpc.server.auth.tokens.reader.token=reader-s3cret", "rpc.server.auth.tokens.reader.roles=reader"};
    }

    @Test
    void preAuthorizeAllowsOneRoleAndRefusesAnotherBeforeTheMethodRuns() {
        runner.withUserConfiguration(SecuredApp.class).withPropertyValues(tokens())
                .withPropertyValues("rpc.client.auth-token=reader-s3cret").run(context -> {
                    assertThat(context).hasNotFailed();
                    Vault vault = context.getBean(Caller.class).vault;
                    assertThat(vault.read()).isEqualTo("secret");
                    assertThat(vault.whoami()).isEqualTo("reader/reader[ROLE_reader]");
                    assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(vault::rotateKeys)
                            .satisfies(e -> assertThat(e.status()).isEqualTo(RpcStatus.PERMISSION_DENIED))
                            .withMessageContaining("reader may not call");
                    assertThat(((GuardedVault) org.springframework.test.util.AopTestUtils.getUltimateTargetObject(
                            context.getBean(GuardedVault.class))).adminRuns).hasValue(0);
                });
    }

    @Test
    void theSecurityContextIsClearedAfterEveryCallInBothExecutionModes() {
        for (String mode : List.of("pool", "direct")) {
            runner.withUserConfiguration(SecuredApp.class).withPropertyValues(tokens())
                    .withPropertyValues("rpc.client.auth-token=ops-s3cret", "rpc.server.execution-mode=" + mode)
                    .run(context -> {
                        Vault vault = context.getBean(Caller.class).vault;
                        for (int i = 0; i < 20; i++) {
                            assertThat(vault.rotateKeys()).isEqualTo("rotated");
                        }
                        Map<String, String> after = context.getBean(SecuredApp.class).afterCall;
                        assertThat(after).as(mode).isNotEmpty().allSatisfy((thread, left) -> assertThat(left)
                                .as("what thread %s holds after a call", thread).isEqualTo("null"));
                    });
        }
    }

    @Test
    void aTokenSupplierBeanGoodBadAndMissingTokens() {
        runner.withUserConfiguration(SecuredApp.class).withPropertyValues(tokens())
                .withBean(BearerTokenInterceptor.class, () -> new BearerTokenInterceptor(call -> "ops-s3cret"))
                .run(context -> assertThat(context.getBean(Caller.class).vault.rotateKeys()).isEqualTo("rotated"));
        runner.withUserConfiguration(SecuredApp.class).withPropertyValues(tokens())
                .withPropertyValues("rpc.client.auth-token=wrong").run(context ->
                        assertThatExceptionOfType(RpcRemoteException.class)
                                .isThrownBy(() -> context.getBean(Caller.class).vault.read())
                                .satisfies(e -> assertThat(e.status()).isEqualTo(RpcStatus.UNAUTHENTICATED)));
        runner.withUserConfiguration(SecuredApp.class).withPropertyValues(tokens()).run(context ->
                assertThatExceptionOfType(RpcRemoteException.class)
                        .isThrownBy(() -> context.getBean(Caller.class).vault.read())
                        .satisfies(e -> assertThat(e.status()).isEqualTo(RpcStatus.UNAUTHENTICATED))
                        .withMessageContaining("carries no credentials"));
    }
}
