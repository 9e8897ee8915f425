package io.rpcboot.core.rpc;

import java.math.BigInteger;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.rpc.TestServices.Calculator;
import io.rpcboot.core.rpc.TestServices.DefaultCalculator;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import io.rpcboot.core.testing.TestCertificates;
import io.rpcboot.core.testing.TestCertificates.Identity;
import io.rpcboot.core.tls.TlsConfig;
import io.rpcboot.core.tls.TlsConfig.ClientAuth;
import io.rpcboot.core.tls.TlsPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** TLS and mutual TLS over real sockets, with certificates made for each run. */
@Timeout(60)
class TlsTests {

    private static final TestCertificates CA = TestCertificates.authority("rpc-boot test CA");
    private static final TestCertificates OTHER_CA = TestCertificates.authority("someone else's CA");
    private static final Identity SERVER = CA.server("provider");
    private static final Identity ALICE = CA.client("alice");

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    private final Map<String, TlsPeer> seen = new ConcurrentHashMap<>();

    private RpcServer tlsServer(TlsConfig tls) {
        return fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).workerThreads(8).tls(tls),
                b -> b.service(Calculator.class, new DefaultCalculator()).interceptor(chain -> {
                    TlsPeer peer = chain.call().tlsPeer();
                    if (peer != null) {
                        seen.put("peer", peer);
                    }
                    return chain.proceed();
                }));
    }

    private static TlsConfig serverTls(ClientAuth auth) {
        return TlsConfig.builder(TestCertificates.context(SERVER, CA)).clientAuth(auth).build();
    }

    private RpcClient client(TlsConfig.Builder tls) {
        return fixture.client(ClientConfig.builder().ioThreads(1).connectTimeout(Duration.ofSeconds(2)).tls(tls.build()));
    }

    private static Calculator direct(RpcClient client, RpcServer server) {
        return client.create(ReferenceConfig.builder(Calculator.class).urls(List.of("127.0.0.1:" + server.port())).build());
    }

    @Test
    void aCallOverTlsAnnouncesTlsAndTellsTheServerTheProtocol() {
        RpcServer server = tlsServer(serverTls(ClientAuth.NONE));
        RpcClient client = client(TlsConfig.builder(TestCertificates.context(null, CA)));

        Calculator calc = client.create(Calculator.class);
        assertThat(calc.add("tl", "s")).isEqualTo("tls");
        assertThat(calc.divide(8, 2)).isEqualTo(4);

        assertThat(seen.get("peer").protocol()).isEqualTo("TLSv1.3");
        assertThat(seen.get("peer").certificates()).as("no client certificate was asked for").isEmpty();
        assertThat(fixture.registry.instances(new io.rpcboot.core.registry.ServiceKey(Calculator.class.getName(), "", "")))
                .allSatisfy(i -> assertThat(i.requiresTls()).isTrue());
        assertThat(server.openConnections()).isPositive();
    }

    @Test
    void tls12WorksWhenBothSidesAllowOnlyIt() {
        RpcServer server = tlsServer(TlsConfig.builder(TestCertificates.context(SERVER, CA))
                .protocols(List.of("TLSv1.2")).build());
        RpcClient client = client(TlsConfig.builder(TestCertificates.context(null, CA)));

        assertThat(direct(client, server).add("1.", "2")).isEqualTo("1.2");
        assertThat(seen.get("peer").protocol()).isEqualTo("TLSv1.2");
    }

    @Test
    void anUnknownCipherSuiteFailsWhenTheConfigIsBuilt() {
        assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() ->
                TlsConfig.builder(TestCertificates.context(SERVER, CA)).cipherSuites(List.of("TLS_NO_SUCH_SUITE")).build())
                .withMessageStartingWith("protocols and cipher suites must be ones the TLS context supports")
                .withMessageContaining("TLS_NO_SUCH_SUITE");
    }

    @Test
    void mutualTlsShowsTheClientCertificateToTheServer() {
        RpcServer server = tlsServer(serverTls(ClientAuth.NEED));
        RpcClient client = client(TlsConfig.builder(TestCertificates.context(ALICE, CA)));

        assertThat(direct(client, server).add("m", "tls")).isEqualTo("mtls");
        assertThat(seen.get("peer").subject().getName()).startsWith("CN=alice");
    }

    @Test
    void aClientWithoutACertificateFailsAgainstAServerThatNeedsOne() {
        RpcServer server = tlsServer(serverTls(ClientAuth.NEED));
        RpcClient client = client(TlsConfig.builder(TestCertificates.context(null, CA)));

        assertThatExceptionOfType(RpcException.class).isThrownBy(() -> direct(client, server).add("a", "b"))
                .withMessageContaining("certificate");
    }

    @Test
    void aPlaintextClientRefusesAnInstanceThatAnnouncesTls() {
        tlsServer(serverTls(ClientAuth.NONE));
        RpcClient plain = fixture.client(ClientConfig.builder().ioThreads(1));

        assertThatExceptionOfType(RpcException.class).isThrownBy(() -> plain.create(Calculator.class).add("a", "b"))
                .withMessageContaining("accepts only TLS and this client has no TLS configured");
    }

    @Test
    void aPlaintextClientSentStraightToATlsPortFailsSayingTheServerSpeaksTls() {
        RpcServer server = tlsServer(serverTls(ClientAuth.NONE));
        RpcClient plain = fixture.client(ClientConfig.builder().ioThreads(1));

        assertThatExceptionOfType(RpcException.class).isThrownBy(() -> direct(plain, server).add("a", "b"))
                .withMessageContaining("TLS");
    }

    @Test
    void aTlsClientAgainstAPlaintextServerFailsSayingSo() {
        RpcServer plain = fixture.server(b -> b.service(Calculator.class, new DefaultCalculator()));
        RpcClient client = client(TlsConfig.builder(TestCertificates.context(null, CA)));

        assertThatExceptionOfType(RpcException.class).isThrownBy(() -> direct(client, plain).add("a", "b"))
                .withMessageContaining("does the server speak TLS");
    }

    @Test
    void aTlsClientDoesNotDowngradeWhateverTheRegistrationSays() {
        RpcServer plain = fixture.server(b -> b.service(Calculator.class, new DefaultCalculator()));
        RpcClient client = client(TlsConfig.builder(TestCertificates.context(null, CA)));

        // the plaintext server announces no TLS; the client still speaks only TLS, and fails
        assertThatExceptionOfType(RpcException.class)
                .isThrownBy(() -> client.create(Calculator.class).add("a", "b"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(plain.openConnections())
                .as("the plaintext server closed the TLS client's connection").isZero());
    }

    @Test
    void aServerSignedByAnotherCaIsRefusedNamingTheTrustStore() {
        RpcServer server = tlsServer(serverTls(ClientAuth.NONE));
        RpcClient client = client(TlsConfig.builder(TestCertificates.context(null, OTHER_CA)));

        assertThatExceptionOfType(RpcException.class).isThrownBy(() -> direct(client, server).add("a", "b"))
                .withMessageContaining("not signed by a CA this client trusts");
    }

    @Test
    void aCertificateForAnotherNameIsRefusedNamingTheHost() {
        RpcServer server = tlsServer(serverTls(ClientAuth.NONE));
        RpcClient wrongName = client(TlsConfig.builder(TestCertificates.context(null, CA)).serverName("billing.example"));
        RpcClient rightName = client(TlsConfig.builder(TestCertificates.context(null, CA)).serverName("localhost"));

        assertThatExceptionOfType(RpcException.class).isThrownBy(() -> direct(wrongName, server).add("a", "b"))
                .withMessageContaining("does not name the host");
        assertThat(direct(rightName, server).add("a", "b")).isEqualTo("ab");
    }

    @Test
    void aReferenceMayTrustAnotherCaThanItsClient() {
        RpcServer server = tlsServer(serverTls(ClientAuth.NONE));
        RpcClient client = client(TlsConfig.builder(TestCertificates.context(null, OTHER_CA)));

        Calculator own = client.create(ReferenceConfig.builder(Calculator.class).urls(List.of("127.0.0.1:" + server.port()))
                .tls(TlsConfig.builder(TestCertificates.context(null, CA)).build()).build());
        assertThat(own.add("per ", "reference")).isEqualTo("per reference");
    }

    @Test
    void aRotatedCertificateServesNewHandshakesWithoutFailingACall() throws Exception {
        Identity first = CA.server("provider-1");
        Identity second = CA.server("provider-2");
        AtomicReference<SSLContext> current = new AtomicReference<>(TestCertificates.context(first, CA));
        RpcServer server = tlsServer(TlsConfig.builder(current::get).build());
        List<BigInteger> served = new CopyOnWriteArrayList<>();
        TlsConfig clientTls = TlsConfig.builder(recordingContext(served)).build();

        RpcClient steady = client(TlsConfig.builder(recordingContext(served)));
        Calculator calc = direct(steady, server);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> loops = List.of(callers.submit(() -> loop(calc, stop, calls)),
                    callers.submit(() -> loop(calc, stop, calls)));
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > 200);
            current.set(TestCertificates.context(second, CA));
            RpcClient fresh = fixture.client(ClientConfig.builder().ioThreads(1).tls(clientTls));
            assertThat(direct(fresh, server).add("new ", "cert")).isEqualTo("new cert");
            int before = calls.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > before + 200);
            stop.set(true);
            for (Future<?> f : loops) {
                f.get(); // a failed call would surface here
            }
        } finally {
            stop.set(true);
            callers.shutdownNow();
        }
        assertThat(served).contains(first.serial(), second.serial());
        assertThat(served.get(served.size() - 1)).as("the handshake after rotation presents the new certificate")
                .isEqualTo(second.serial());
    }

    private static void loop(Calculator calc, AtomicBoolean stop, AtomicInteger calls) {
        while (!stop.get()) {
            assertThat(calc.add("x", "y")).isEqualTo("xy");
            calls.incrementAndGet();
        }
    }

    @Test
    void handshakesAreCountedAndStalledOnesAreCutOff() throws Exception {
        RpcMetrics metrics = RpcMetrics.simple();
        RpcServer server = fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
                .tls(TlsConfig.builder(TestCertificates.context(SERVER, CA)).handshakeTimeout(Duration.ofMillis(300)).build()),
                b -> b.metrics(metrics).service(Calculator.class, new DefaultCalculator()));
        RpcMetrics clientMetrics = RpcMetrics.simple();
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1)
                .tls(TlsConfig.builder(TestCertificates.context(null, CA)).build()), clientMetrics);
        assertThat(direct(client, server).add("a", "b")).isEqualTo("ab");
        assertThat(clientMetrics.registry().get("rpc.tls.handshakes").tag("side", "client").tag("result", "success")
                .functionCounter().count()).isGreaterThanOrEqualTo(1);

        try (Socket stalled = new Socket("127.0.0.1", server.port())) {
            stalled.setSoTimeout(5000);
            assertThat(stalled.getInputStream().read()).as("closed by the server, not answered").isEqualTo(-1);
        }
        assertThat(metrics.registry().get("rpc.tls.handshakes").tag("result", "success").functionCounter().count())
                .isGreaterThanOrEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(metrics.registry().get("rpc.limits.exceeded")
                .tag("reason", "tls_handshake_timeout").functionCounter().count()).isEqualTo(1));
    }

    /** A client context that trusts the CA and records the serial of each server certificate it is shown. */
    private static SSLContext recordingContext(List<BigInteger> served) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(CA.trustStore());
        X509ExtendedTrustManager real = (X509ExtendedTrustManager) tmf.getTrustManagers()[0];
        X509ExtendedTrustManager recording = new X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws java.security.cert.CertificateException {
                real.checkServerTrusted(chain, authType, engine);
                served.add(chain[0].getSerialNumber());
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws java.security.cert.CertificateException {
                real.checkServerTrusted(chain, authType, socket);
                served.add(chain[0].getSerialNumber());
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                real.checkServerTrusted(chain, authType);
                served.add(chain[0].getSerialNumber());
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws java.security.cert.CertificateException {
                real.checkClientTrusted(chain, authType, engine);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws java.security.cert.CertificateException {
                real.checkClientTrusted(chain, authType, socket);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                real.checkClientTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return real.getAcceptedIssuers();
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {recording}, null);
        return context;
    }

    @Test
    void httpOnTheSamePortFollowsTheServersTlsAndClientCertificates() throws Exception {
        RpcServer server = tlsServer(serverTls(ClientAuth.NEED));
        java.net.URI uri = java.net.URI.create("https://127.0.0.1:" + server.port() + "/" + Calculator.class.getName()
                + "/divide");
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20)).POST(java.net.http.HttpRequest.BodyPublishers.ofString("[84, 2]")).build();
        java.net.http.HttpClient alice = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                .sslContext(TestCertificates.context(ALICE, CA)).build();
        java.net.http.HttpResponse<String> answer = alice.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("42");
        assertThat(seen.get("peer").subject().getName()).startsWith("CN=alice");

        java.net.http.HttpClient anonymous = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).sslContext(TestCertificates.context(null, CA)).build();
        assertThatExceptionOfType(java.io.IOException.class).as("no client certificate: the handshake fails")
                .isThrownBy(() -> anonymous.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()));

        try (RawHttp plaintext = new RawHttp(server.port())) {
            plaintext.send(RawHttp.post("/" + Calculator.class.getName() + "/divide", "[84, 2]"));
            assertThat(plaintext.closedByServer()).as("plaintext HTTP to a TLS port gets no answer").isTrue();
        }
    }
}
