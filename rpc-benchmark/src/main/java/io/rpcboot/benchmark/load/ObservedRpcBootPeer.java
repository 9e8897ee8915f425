package io.rpcboot.benchmark.load;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rpcboot.benchmark.load.RpcBootPeer.EchoService;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.observation.ObservationClientInterceptor;
import io.rpcboot.core.observation.ObservationServerInterceptor;
import io.rpcboot.core.server.ExecutionMode;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;

/**
 * {@link RpcBootPeer} with what a Spring Boot application with Actuator adds on each side: request
 * timers with their SLO buckets in a Prometheus registry, and every call an observation (the
 * observation interceptors, a registry with Micrometer's meter handler, and the filter that drops the
 * observation's own timers, as {@code RpcObservationAutoConfiguration} sets it up). No tracer: that is
 * what Actuator alone gives.
 */
final class ObservedRpcBootPeer implements Peer {

    @Override
    public String name() {
        return "rpc-boot-observed";
    }

    private static MeterRegistry meters() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(MeterFilter.deny(id -> switch (id.getName()) {
            case "rpc.client", "rpc.client.active", "rpc.server", "rpc.server.active" -> true;
            default -> false;
        }));
        return registry;
    }

    private static ObservationRegistry observations(MeterRegistry meters) {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        return registry;
    }

    @Override
    public Server startServer(int port) {
        MeterRegistry meters = meters();
        RpcServer server = RpcServer.builder()
                .config(ServerConfig.builder().host("127.0.0.1").port(port).executionMode(ExecutionMode.DIRECT).build())
                .metrics(new RpcMetrics(meters))
                .interceptor(new ObservationServerInterceptor(observations(meters), null))
                .service(EchoService.class, payload -> payload).start();
        return new Server() {
            public int port() {
                return server.port();
            }

            public void close() {
                server.stop(Duration.ofSeconds(1));
            }
        };
    }

    @Override
    public Caller connect(int port) {
        MeterRegistry meters = meters();
        RpcClient client = RpcClient.builder().config(ClientConfig.builder().ioThreads(1).connectionsPerEndpoint(1)
                        .timeout(Duration.ofSeconds(30)).build())
                .metrics(new RpcMetrics(meters))
                .interceptor(new ObservationClientInterceptor(observations(meters), null)).build();
        EchoService echo = client.create(ReferenceConfig.builder(EchoService.class)
                .urls(java.util.List.of("127.0.0.1:" + port)).build());
        return new Caller() {
            public byte[] call(byte[] payload) {
                return echo.echo(payload);
            }

            public void close() {
                client.close();
            }
        };
    }
}
