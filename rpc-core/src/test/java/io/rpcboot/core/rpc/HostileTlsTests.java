package io.rpcboot.core.rpc;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.rpc.TestServices.Calculator;
import io.rpcboot.core.rpc.TestServices.DefaultCalculator;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import io.rpcboot.core.testing.TestCertificates;
import io.rpcboot.core.tls.TlsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a hostile peer can do to a TLS port before any rpc-boot frame: stall handshakes, send garbage
 * instead of a ClientHello, claim a huge record, or talk past the handshake budget. Each is cut off
 * without holding more than one record's buffer per connection, and a normal TLS client is served
 * throughout.
 */
@Timeout(60)
class HostileTlsTests {

    private static final TestCertificates CA = TestCertificates.authority("hostile test CA");
    private static final TestCertificates.Identity SERVER = CA.server("provider");
    /** The largest buffer the pool lends for one TLS record (16 KiB of data plus framing, rounded up). */
    private static final long RECORD_BUFFER = 32 * 1024;

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    private final RpcMetrics metrics = RpcMetrics.simple();
    private final List<Socket> attackers = new ArrayList<>();

    @AfterEach
    void closeAttackers() throws IOException {
        for (Socket s : attackers) {
            s.close();
        }
    }

    private RpcServer server(TlsConfig.Builder tls) {
        return fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).workerThreads(8)
                .tls(tls.build()), b -> b.metrics(metrics).service(Calculator.class, new DefaultCalculator()));
    }

    private Calculator normalClient(RpcServer server) {
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1)
                .tls(TlsConfig.builder(TestCertificates.context(null, CA)).build()));
        return client.create(ReferenceConfig.builder(Calculator.class).urls(List.of("127.0.0.1:" + server.port())).build());
    }

    private Socket attacker(RpcServer server) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        attackers.add(s);
        return s;
    }

    private static boolean closedByServer(Socket s, Duration within) {
        try {
            s.setSoTimeout((int) within.toMillis());
            byte[] sink = new byte[4096];
            while (true) {
                if (s.getInputStream().read(sink) < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private double limit(String reason) {
        return metrics.registry().get("rpc.limits.exceeded").tag("side", "server").tag("reason", reason)
                .functionCounter().count();
    }

    private double failedHandshakes() {
        return metrics.registry().get("rpc.tls.handshakes").tag("result", "failure").functionCounter().count();
    }

    /** A TLS handshake record header (content type 22, version 3.1) claiming {@code length} bytes. */
    private static byte[] handshakeRecordHeader(int length) {
        return new byte[] {0x16, 0x03, 0x01, (byte) (length >>> 8), (byte) length};
    }

    @Test
    void stalledHandshakesHoldAtMostOneRecordEachAndAreCutOffAtTheTimeout() throws Exception {
        RpcServer server = server(TlsConfig.builder(TestCertificates.context(SERVER, CA)).handshakeTimeout(Duration.ofMillis(800)));
        Calculator calc = normalClient(server);
        assertThat(calc.add("before", "")).isEqualTo("before");
        long heldBefore = fixture.pool.bytesInUse();

        int connections = 30;
        for (int i = 0; i < connections; i++) {
            Socket s = attacker(server);
            if (i % 2 == 0) { // half send the start of a record and stop; half send nothing at all
                OutputStream out = s.getOutputStream();
                out.write(handshakeRecordHeader(512));
                out.write(new byte[100]);
                out.flush();
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() >= connections);
        assertThat(fixture.pool.bytesInUse() - heldBefore).as("pooled bytes the stalled handshakes hold")
                .isLessThanOrEqualTo((connections / 2) * RECORD_BUFFER);
        assertThat(calc.add("during", "")).isEqualTo("during");

        for (Socket s : attackers) {
            assertThat(closedByServer(s, Duration.ofSeconds(5))).as("a stalled handshake is cut off").isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(limit("tls_handshake_timeout")).isEqualTo(connections));
        assertThat(calc.add("after", "")).isEqualTo("after");
    }

    @Test
    void garbageInsteadOfAClientHelloIsRefusedAtOnce() throws Exception {
        RpcServer server = server(TlsConfig.builder(TestCertificates.context(SERVER, CA)));
        Calculator calc = normalClient(server);

        Socket s = attacker(server);
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: provider\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(closedByServer(s, Duration.ofSeconds(3))).as("closed well before the 10 s handshake timeout").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> failedHandshakes() >= 1);
        assertThat(calc.add("still", " here")).isEqualTo("still here");
    }

    @Test
    void aRecordClaimingMoreThanTlsAllowsIsRefused() throws Exception {
        RpcServer server = server(TlsConfig.builder(TestCertificates.context(SERVER, CA)));
        Calculator calc = normalClient(server);
        long heldBefore = fixture.pool.bytesInUse();

        Socket s = attacker(server);
        OutputStream out = s.getOutputStream();
        out.write(handshakeRecordHeader(0xFFFF)); // 64 KiB, four times what a record may carry
        try {
            out.write(new byte[60_000]);
        } catch (IOException cutOff) {
            // the server closed the connection before taking everything
        }
        assertThat(closedByServer(s, Duration.ofSeconds(3))).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(fixture.pool.bytesInUse() - heldBefore).isLessThanOrEqualTo(RECORD_BUFFER));
        assertThat(calc.add("still", " here")).isEqualTo("still here");
    }

    @Test
    void aHandshakePastItsByteBudgetIsCutOff() throws Exception {
        RpcServer server = server(TlsConfig.builder(TestCertificates.context(SERVER, CA)).maxHandshakeBytes(4096));
        Calculator calc = normalClient(server);

        Socket s = attacker(server);
        OutputStream out = s.getOutputStream();
        out.write(handshakeRecordHeader(16_000)); // a legal length, but more than this server's budget
        try {
            for (int i = 0; i < 8; i++) {
                out.write(new byte[1024]);
                out.flush();
            }
        } catch (IOException cutOff) {
            // cut off midway
        }
        assertThat(closedByServer(s, Duration.ofSeconds(3))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> limit("tls_handshake_size") == 1);
        assertThat(calc.add("still", " here")).isEqualTo("still here");
    }
}
