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
 * {@code rpc-boot-spring} / {@code rpc-boot} is the cost of the Spring layer and its meters.
 */
final class SpringBootPeer implements Peer {

    @Override
    public String name() {
        return "rpc-boot-spring";
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
        ConfigurableApplicationContext context = run(Provider.class, "rpc.server.host=127.0.0.1", "rpc.server.port=" + port,
                "rpc.server.execution-mode=direct", "rpc.server.io-threads=2");
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
        ConfigurableApplicationContext context = run(Consumer.class, "bench.port=" + port, "rpc.client.io-threads=1",
                "rpc.client.connections-per-endpoint=1", "rpc.client.timeout=30s");
        EchoService echo = context.getBean(EchoService.class);
        return new Caller() {
            public byte[] call(byte[] payload) {
                return echo.echo(payload);
            }

            public void close() {
                context.close();
            }
        };
    }
}
