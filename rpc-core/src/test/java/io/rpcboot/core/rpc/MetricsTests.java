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
        assertThat(count(server, "rpc.server.requests", calcName, "divide(int,int)", "error")).isEqualTo(3);
        assertThat(count(clientRegistry, "rpc.client.requests", calcName, "add(int,int)", "success")).isEqualTo(25);
        assertThat(count(clientRegistry, "rpc.client.requests", calcName, "divide(int,int)", "error")).isEqualTo(3);
        assertThat(count(clientRegistry, "rpc.client.requests", Echo.class.getName(), "slow(long)", "timeout")).isEqualTo(1);
        assertThat(clientRegistry.get("rpc.client.timeouts").counter().count()).isEqualTo(1);

        String scrape = prometheus.scrape();
        assertThat(scrape).as("histogram buckets are published")
                .contains("rpc_server_requests_seconds_bucket{method=\"add(int,int)\",outcome=\"success\",service=\""
                        + calcName + "\",le=\"+Inf\"} 25")
                .contains("rpc_server_requests_seconds_count{method=\"divide(int,int)\",outcome=\"error\",service=\""
                        + calcName + "\"} 3");

        assertThat(server.get("rpc.server.connections").gauge().value()).isEqualTo(1);
        assertThat(clientRegistry.get("rpc.client.connections").gauge().value()).isEqualTo(1);
        await().until(() -> clientRegistry.get("rpc.client.inflight").gauge().value() == 0);
        await().until(() -> server.get("rpc.server.inflight").gauge().value() <= 1); // the slow call may still run
        assertThat(clientRegistry.get("rpc.client.pool.leases").gauge().value()).isZero();
        assertThat(server.get("rpc.bytes.received").tag("side", "server").counter().count()).isPositive();
        assertThat(clientRegistry.get("rpc.bytes.sent").tag("side", "client").counter().count())
                .isEqualTo(server.get("rpc.bytes.received").tag("side", "server").counter().count());
        assertThat(server.get("rpc.buffer.pool.allocated").gauge().value()).isPositive();
    }

    private static long count(MeterRegistry registry, String name, String service, String method, String outcome) {
        Timer timer = registry.find(name).tag("service", service).tag("method", method).tag("outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }
}
