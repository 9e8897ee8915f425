package io.rpcboot.benchmark.load;

import java.time.Duration;
import java.util.List;

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
import io.rpcboot.core.intercept.ClientInterceptor;
import io.rpcboot.core.intercept.ServerInterceptor;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.observation.ObservationClientInterceptor;
import io.rpcboot.core.observation.ObservationServerInterceptor;
import io.rpcboot.core.server.ExecutionMode;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;

/**
 * {@link RpcBootPeer} with what a Spring Boot application adds on each side, in steps (see
 * {@link Mode}): request timers with their SLO buckets in a Prometheus registry (Actuator); a
 * pass-through interceptor on each side (the interceptor machinery alone); every call an observation
 * (the observation interceptors, a registry with Micrometer's meter handler, and the filter that drops
 * the observation's own timers, as {@code RpcObservationAutoConfiguration} sets it up when tracing is
 * present), without the tracer's own work.
 */
final class ObservedRpcBootPeer implements Peer {

    /** What is added to the Prometheus request timers, to tell the costs apart. */
    enum Mode {
        /** Nothing. */
        PROMETHEUS("rpc-boot-prometheus"),
        /** A pass-through interceptor on each side: the interceptor machinery alone. */
        INTERCEPTED("rpc-boot-intercepted"),
        /** The observation interceptors, with Micrometer's meter handler: a Boot app with Actuator. */
        OBSERVED("rpc-boot-observed"),
        /** As {@link #OBSERVED}, without the filter that drops the observation's own timers. */
        OBSERVED_UNFILTERED("rpc-boot-observed-unfiltered");

        final String peerName;

        Mode(String peerName) {
            this.peerName = peerName;
        }
    }

    private final Mode mode;

    ObservedRpcBootPeer(Mode mode) {
        this.mode = mode;
    }

    @Override
    public String name() {
        return mode.peerName;
    }

    private List<ServerInterceptor> serverInterceptors(MeterRegistry meters) {
        return switch (mode) {
            case PROMETHEUS -> List.of();
            case INTERCEPTED -> List.of(ServerInterceptor.Chain::proceed);
            case OBSERVED, OBSERVED_UNFILTERED -> List.of(new ObservationServerInterceptor(observations(meters), null));
        };
    }

    private List<ClientInterceptor> clientInterceptors(MeterRegistry meters) {
        return switch (mode) {
            case PROMETHEUS -> List.of();
            case INTERCEPTED -> List.of(ClientInterceptor.Chain::proceed);
            case OBSERVED, OBSERVED_UNFILTERED -> List.of(new ObservationClientInterceptor(observations(meters), null));
        };
    }

    private MeterRegistry meters() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        if (mode == Mode.OBSERVED_UNFILTERED) {
            return registry;
        }
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
                .interceptors(serverInterceptors(meters))
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
                .interceptors(clientInterceptors(meters))
                .build();
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
