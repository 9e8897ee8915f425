package io.rpcboot.core.rpc;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.rpc.TestServices.Calculator;
import io.rpcboot.core.rpc.TestServices.DefaultCalculator;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

@Timeout(60)
class MetricsTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RpcMetrics serverMetrics = new RpcMetrics(prometheus);
    private final RpcMetrics clientMetrics = RpcMetrics.simple();

    @Test
    void countsOutcomesGaugesAndBytesAfterAKnownNumberOfCalls() {
        fixture.server(serverMetrics, b -> b.service(Calculator.class, new DefaultCalculator())
                .service(Echo.class, new NamedEcho("e", 0)));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1).connectionsPerEndpoint(1), clientMetrics);
        Calculator calc = client.create(Calculator.class);
        Echo impatient = client.create(ReferenceConfig.builder(Echo.class).timeout(Duration.ofMillis(50)).build());
        for (int i = 0; i < 25; i++) {
            calc.add(i, i);
        }
        for (int i = 0; i < 3; i++) {
            assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(() -> calc.divide(1, 0));
        }
        assertThatExceptionOfType(RpcTimeoutException.class).isThrownBy(() -> impatient.slow(300));

        MeterRegistry server = serverMetrics.registry();
        MeterRegistry clientRegistry = clientMetrics.registry();
        String calcName = Calculator.class.getName();
        await().until(() -> count(server, "rpc.server.requests", calcName, "add(int,int)", "success") == 25);
        assertThat(count(server, "rpc.server.requests", calcName, "divide", "error")).isEqualTo(3);
        assertThat(count(clientRegistry, "rpc.client.requests", calcName, "add(int,int)", "success")).isEqualTo(25);
        assertThat(count(clientRegistry, "rpc.client.requests", calcName, "divide", "error")).isEqualTo(3);
        assertThat(count(clientRegistry, "rpc.client.requests", Echo.class.getName(), "slow", "timeout")).isEqualTo(1);
        assertThat(clientRegistry.get("rpc.client.timeouts").counter().count()).isEqualTo(1);

        // status and exception say which error it was, on both sides
        assertThat(server.get("rpc.server.requests").tag("method", "divide").tag("status", "SERVICE_ERROR")
                .tag("exception", "ArithmeticException").timer().count()).isEqualTo(3);
        assertThat(clientRegistry.get("rpc.client.requests").tag("method", "divide").tag("status", "SERVICE_ERROR")
                .tag("exception", "RpcRemoteException").timer().count()).isEqualTo(3);
        assertThat(clientRegistry.get("rpc.client.requests").tag("method", "slow").tag("outcome", "timeout")
                .tag("status", "DEADLINE_EXCEEDED").tag("exception", "RpcTimeoutException").timer().count()).isEqualTo(1);
        // the provider finished the slow call after its caller's deadline: late, not success
        await().until(() -> count(server, "rpc.server.requests", Echo.class.getName(), "slow", "late") == 1);
        assertThat(count(server, "rpc.server.requests", Echo.class.getName(), "slow", "success")).isZero();

        String scrape = prometheus.scrape();
        assertThat(scrape).as("SLO buckets from 50 microseconds are published")
                .contains("rpc_server_requests_seconds_bucket{exception=\"none\",method=\"add(int,int)\",outcome=\"success\","
                        + "protocol=\"binary\",service=\"" + calcName + "\",status=\"OK\",le=\"5.0E-5\"}")
                .contains("rpc_server_requests_seconds_bucket{exception=\"none\",method=\"add(int,int)\",outcome=\"success\","
                        + "protocol=\"binary\",service=\"" + calcName + "\",status=\"OK\",le=\"+Inf\"} 25")
                .contains("rpc_server_requests_seconds_count{exception=\"ArithmeticException\",method=\"divide\","
                        + "outcome=\"error\",protocol=\"binary\",service=\"" + calcName + "\",status=\"SERVICE_ERROR\"} 3")
                .contains("rpc_io_received_bytes_total{side=\"server\"}")
                .doesNotContain("rpc_bytes_");
        long addBuckets = scrape.lines().filter(l -> l.startsWith("rpc_server_requests_seconds_bucket{")
                && l.contains("method=\"add(int,int)\"")).count();
        assertThat(addBuckets).as("bucket lines of one method with one series").isEqualTo(18);

        assertThat(server.get("rpc.server.connections").gauge().value()).isEqualTo(1);
        assertThat(clientRegistry.get("rpc.client.connections").gauge().value()).isEqualTo(1);
        await().until(() -> clientRegistry.get("rpc.client.inflight").gauge().value() == 0);
        await().until(() -> server.get("rpc.server.inflight").gauge().value() <= 1); // the slow call may still run
        assertThat(clientRegistry.get("rpc.client.pool.leases").gauge().value()).isZero();
        assertThat(server.get("rpc.io.received").tag("side", "server").counter().count()).isPositive();
        assertThat(clientRegistry.get("rpc.io.sent").tag("side", "client").counter().count())
                .isEqualTo(server.get("rpc.io.received").tag("side", "server").counter().count());
        assertThat(server.get("rpc.buffer.pool.allocated").gauge().value()).isPositive();
    }

    @Test
    void aSideTheApplicationDoesNotRunExportsNothingAndSharedGaugesRegisterOnce() {
        PrometheusMeterRegistry shared = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RpcMetrics metrics = new RpcMetrics(shared);
        fixture.server(metrics, b -> b.service(Echo.class, new NamedEcho("e", 0)));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1), metrics);
        assertThat(shared.scrape()).as("a client without references exports nothing").doesNotContain("rpc_client_")
                .contains("rpc_server_inflight").contains("rpc_buffer_pool_used");
        Echo echo = client.create(Echo.class);
        assertThat(echo.whoAmI()).isEqualTo("e");
        assertThat(shared.scrape()).contains("rpc_client_inflight")
                .contains("rpc_client_instances{service=\"" + Echo.class.getName() + "\"} 1.0");
        assertThat(shared.find("rpc.buffer.pool.used").gauges()).hasSize(1);
    }

    @Test
    void kindsOfFailurePastTheCapShareAnOverflowSeriesAndTheScrapeStillWorks() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        io.rpcboot.core.internal.metrics.Meters.CallTimers timers = io.rpcboot.core.internal.metrics.Meters
                .of(new RpcMetrics(registry)).callTimers(io.rpcboot.core.internal.metrics.Meters.Side.SERVER,
                        new io.rpcboot.core.RpcMethod("svc", TestServices.Echo.class.getMethods()[0]));
        timers.success(1000);
        for (int i = 0; i < 20; i++) {
            timers.record(io.rpcboot.core.metrics.Outcome.ERROR, "SERVICE_ERROR", "Failure" + i, 1000);
        }
        timers.record(io.rpcboot.core.metrics.Outcome.FAILURE, "BAD_REQUEST", "SerializationException", 1000);
        // 8 series of their own (success + 7 errors), then one overflow series per outcome
        assertThat(registry.find("rpc.server.requests").timers()).hasSize(10);
        assertThat(registry.get("rpc.server.requests").tag("outcome", "error").tag("status", "other")
                .tag("exception", "other").timer().count()).isEqualTo(13);
        assertThat(registry.get("rpc.server.requests").tag("outcome", "failure").tag("status", "other")
                .tag("exception", "other").timer().count()).isEqualTo(1);
        String scrape = registry.scrape(); // every series has the same buckets: Prometheus needs one shape per name
        assertThat(scrape.lines().filter(l -> l.startsWith("rpc_server_requests_seconds_bucket{"))).hasSize(10 * 18);
    }

    private static long count(MeterRegistry registry, String name, String service, String method, String outcome) {
        Timer timer = registry.find(name).tag("service", service).tag("method", method).tag("outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }
}
