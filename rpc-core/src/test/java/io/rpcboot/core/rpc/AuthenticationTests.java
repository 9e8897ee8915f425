package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.rpcboot.core.RpcContext;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcStatusException;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.security.AuthenticationInterceptor;
import io.rpcboot.core.security.BearerTokenInterceptor;
import io.rpcboot.core.security.CertificateAuthenticator;
import io.rpcboot.core.RpcPrincipal;
import io.rpcboot.core.security.TokenAuthenticator;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import io.rpcboot.core.testing.TestCertificates;
import io.rpcboot.core.tls.TlsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Bearer tokens and client certificates, checked before the method runs; refusals are never retried. */
@Timeout(60)
class AuthenticationTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    interface Whoami {
        String whoami();

        String denyInBody();
    }

    static final class WhoamiService implements Whoami {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public String whoami() {
            runs.incrementAndGet();
            RpcPrincipal p = RpcContext.principal();
            return p == null ? "anonymous" : p.name() + " " + new java.util.TreeSet<>(p.roles()) + " by " + p.scheme();
        }

        @Override
        public String denyInBody() {
            runs.incrementAndGet();
            throw new RpcStatusException(RpcStatus.PERMISSION_DENIED, "refused by the method itself");
        }
    }

    private static final TokenAuthenticator TOKENS = new TokenAuthenticator(Map.of(
            "s3cret-ops", new RpcPrincipal("ops", Set.of("admin"), RpcPrincipal.TOKEN),
            "s3cret-reader", new RpcPrincipal("reader", Set.of("read"), RpcPrincipal.TOKEN)));

    private WhoamiService serve(boolean required) {
        WhoamiService service = new WhoamiService();
        fixture.server(b -> b.service(Whoami.class, service)
                .interceptor(new AuthenticationInterceptor(List.of(TOKENS), required)));
        return service;
    }

    private Whoami client(BearerTokenInterceptor tokens) {
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1), b -> {
            if (tokens != null) {
                b.interceptor(tokens);
            }
        });
        return client.create(ReferenceConfig.builder(Whoami.class).idempotent(true).retries(2).build());
    }

    @Test
    void aGoodTokenNamesTheCaller() {
        serve(true);
        assertThat(client(BearerTokenInterceptor.of("s3cret-ops")).whoami()).isEqualTo("ops [admin] by token");
    }

    @Test
    void aTokenFromAFunctionOfTheCallIsAskedPerCall() {
        serve(true);
        AtomicInteger asked = new AtomicInteger();
        Whoami whoami = client(new BearerTokenInterceptor(call -> {
            asked.incrementAndGet();
            return "s3cret-reader";
        }));
        assertThat(whoami.whoami()).isEqualTo("reader [read] by token");
        assertThat(whoami.whoami()).isEqualTo("reader [read] by token");
        assertThat(asked).hasValue(2);
    }

    @Test
    void aBadTokenIsRefusedBeforeTheMethodAndNeverRetriedElsewhere() {
        WhoamiService first = serve(true);
        WhoamiService second = serve(true);
        Whoami whoami = client(BearerTokenInterceptor.of("guessed"));

        assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(whoami::whoami)
                .satisfies(e -> assertThat(e.status()).isEqualTo(RpcStatus.UNAUTHENTICATED))
                .withMessageContaining("the bearer token is not valid here")
                .withMessageNotContaining("guessed");
        assertThat(first.runs.get() + second.runs.get()).isZero();
        assertThat(RpcStatus.UNAUTHENTICATED.isNotExecuted()).isTrue();
        assertThat(RpcStatus.UNAUTHENTICATED.isRetryableElsewhere()).isFalse();
    }

    @Test
    void noTokenIsRefusedWhenAuthenticationIsRequiredAndAnonymousOtherwise() {
        serve(true);
        Whoami required = client(null);
        assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(required::whoami)
                .satisfies(e -> assertThat(e.status()).isEqualTo(RpcStatus.UNAUTHENTICATED))
                .withMessageContaining("carries no credentials");
    }

    @Test
    void anOptionalAuthenticatorLetsAnonymousCallsThrough() {
        serve(false);
        assertThat(client(null).whoami()).isEqualTo("anonymous");
    }

    @Test
    void aRefusalFromTheMethodBodyRanAndIsAServiceError() {
        WhoamiService service = serve(true);
        Whoami whoami = client(BearerTokenInterceptor.of("s3cret-ops"));
        assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(whoami::denyInBody)
                .satisfies(e -> assertThat(e.status()).isEqualTo(RpcStatus.SERVICE_ERROR));
        assertThat(service.runs).hasValue(1);
    }

    @Test
    void aMutualTlsCertificateIsAPrincipalWithItsConfiguredRoles() {
        TestCertificates ca = TestCertificates.authority("auth CA");
        TestCertificates.Identity server = ca.server("provider");
        WhoamiService service = new WhoamiService();
        RpcServer s = fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
                .tls(TlsConfig.builder(TestCertificates.context(server, ca)).clientAuth(TlsConfig.ClientAuth.NEED).build()),
                b -> b.service(Whoami.class, service).interceptor(new AuthenticationInterceptor(List.of(TOKENS,
                        new CertificateAuthenticator(Map.of("billing", Set.of("payer")), true)), true)));
        RpcClient billing = fixture.client(ClientConfig.builder().ioThreads(1).connectTimeout(Duration.ofSeconds(2))
                .tls(TlsConfig.builder(TestCertificates.context(ca.client("billing"), ca)).build()));
        RpcClient stranger = fixture.client(ClientConfig.builder().ioThreads(1)
                .tls(TlsConfig.builder(TestCertificates.context(ca.client("stranger"), ca)).build()));
        List<String> url = List.of("127.0.0.1:" + s.port());

        assertThat(billing.create(ReferenceConfig.builder(Whoami.class).urls(url).build()).whoami())
                .isEqualTo("billing [payer] by certificate");
        assertThatExceptionOfType(RpcRemoteException.class)
                .isThrownBy(() -> stranger.create(ReferenceConfig.builder(Whoami.class).urls(url).build()).whoami())
                .satisfies(e -> assertThat(e.status()).isEqualTo(RpcStatus.UNAUTHENTICATED))
                .withMessageContaining("stranger is trusted but not among the certificates this server accepts");
    }
}
