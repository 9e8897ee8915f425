package io.rpcboot.benchmark.load;

import io.rpcboot.annotation.RpcProvider;
import io.rpcboot.autoconfigure.ImportRpcServices;
import io.rpcboot.benchmark.load.RpcBootPeer.EchoService;
import io.rpcboot.core.server.RpcServer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * rpc-boot as a Boot user has it: provider and consumer are Spring Boot applications with the
 * starter, Actuator and the Prometheus registry (the request timers with their SLO buckets, as the
 * starter configures them), the consumer calling an {@code @ImportRpcServices} bean. Everything
 * else as {@link RpcBootPeer} ({@code direct} execution, one client loop, one connection), so that
 * {@code rpc-boot-spring} / {@code rpc-boot} is the cost of the Spring layer and its meters; and
 * {@code rpc-boot-spring-defaults} (nothing set but the address) beside {@code rpc-boot-defaults}.
 * Each application checks that its meters are Prometheus's, histograms on.
 */
final class SpringBootPeer implements Peer {

    private final boolean defaults;

    SpringBootPeer() {
        this(false);
    }

    SpringBootPeer(boolean defaults) {
        this.defaults = defaults;
    }

    @Override
    public String name() {
        return defaults ? "rpc-boot-spring-defaults" : "rpc-boot-spring";
    }

    /**
     * Fails unless the application publishes to Prometheus and, once a call was timed
     * ({@code timed}), with the request timers' histograms: what is measured.
     */
    static void requirePrometheus(ConfigurableApplicationContext context, boolean timed) {
        var prometheus = context.getBeansOfType(io.micrometer.prometheusmetrics.PrometheusMeterRegistry.class);
        if (prometheus.isEmpty()) {
            throw new IllegalStateException("the benchmark's Boot application has no Prometheus registry");
        }
        String scrape = prometheus.values().iterator().next().scrape();
        if (timed && !scrape.contains("_seconds_bucket{")) {
            throw new IllegalStateException("the benchmark's Boot application publishes no histogram buckets");
        }
    }

    /** The provider application (no component scan: the two applications share a package). */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class Provider {
        @RpcProvider
        static class Echo implements EchoService {
            @Override
            public byte[] echo(byte[] payload) {
                return payload;
            }
        }

        @org.springframework.context.annotation.Bean
        Echo echo() {
            return new Echo();
        }
    }

    /** The consumer application. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @ImportRpcServices(types = EchoService.class, url = "127.0.0.1:${bench.port}")
    static class Consumer {
    }

    private static ConfigurableApplicationContext run(Class<?> app, String... properties) {
        SpringApplication application = new SpringApplication(app);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(org.springframework.boot.Banner.Mode.OFF);
        application.setLogStartupInfo(false);
        String[] args = new String[properties.length + 2];
        args[0] = "--logging.level.root=WARN";
        args[1] = "--spring.main.lazy-initialization=false";
        for (int i = 0; i < properties.length; i++) {
            args[i + 2] = "--" + properties[i];
        }
        return application.run(args);
    }

    @Override
    public Server startServer(int port) {
        ConfigurableApplicationContext context = defaults
                ? run(Provider.class, "rpc.server.host=127.0.0.1", "rpc.server.port=" + port)
                : run(Provider.class, "rpc.server.host=127.0.0.1", "rpc.server.port=" + port,
                        "rpc.server.execution-mode=direct", "rpc.server.io-threads=2");
        requirePrometheus(context, false);
        RpcServer server = context.getBean(RpcServer.class);
        return new Server() {
            public int port() {
                return server.port();
            }

            public void close() {
                context.close();
            }
        };
    }

    @Override
    public Caller connect(int port) {
        ConfigurableApplicationContext context = defaults
                ? run(Consumer.class, "bench.port=" + port, "rpc.client.timeout=30s")
                : run(Consumer.class, "bench.port=" + port, "rpc.client.io-threads=1",
                        "rpc.client.connections-per-endpoint=1", "rpc.client.timeout=30s");
        EchoService echo = context.getBean(EchoService.class);
        return new Caller() {
            private boolean checked;

            public byte[] call(byte[] payload) {
                byte[] answer = echo.echo(payload);
                if (!checked) { // once a call has been timed, so that its histogram exists
                    checked = true;
                    requirePrometheus(context, true);
                }
                return answer;
            }

            public void close() {
                context.close();
            }
        };
    }
}
