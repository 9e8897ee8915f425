package io.rpcboot.autoconfigure.actuate;

import io.micrometer.core.instrument.MeterRegistry;
import io.rpcboot.autoconfigure.RpcAutoConfiguration;
import io.rpcboot.autoconfigure.RpcClientAutoConfiguration;
import io.rpcboot.autoconfigure.RpcServerAutoConfiguration;
import io.rpcboot.core.client.RpcClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class RpcActuatorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RpcAutoConfiguration.class, RpcClientAutoConfiguration.class,
                    RpcServerAutoConfiguration.class, RpcEndpointAutoConfiguration.class,
                    RpcHealthAutoConfiguration.class))
            .withPropertyValues("rpc.server.enabled=true", "rpc.server.port=0", "rpc.server.host=127.0.0.1", "rpc.server.io-threads=1",
                    "rpc.client.io-threads=1");

    @Test
    void theEndpointExistsOnlyWhenExposed() {
        runner.run(context -> assertThat(context).doesNotHaveBean(RpcEndpoint.class));
        runner.withPropertyValues("management.endpoints.web.exposure.include=rpc").run(context -> {
            assertThat(context).hasSingleBean(RpcEndpoint.class);
            RpcEndpoint.RpcReport report = context.getBean(RpcEndpoint.class).rpc();
            assertThat(report.server()).isNotNull();
            assertThat(report.server().running()).isTrue();
            assertThat(report.bufferPool().maxPooledBytes()).isEqualTo(64L * 1024 * 1024);
        });
    }

    @Test
    void theHealthIndicatorIsUpWhileTheServerRunsAndCanBeDisabled() {
        runner.run(context -> {
            Health health = context.getBean("rpcHealthIndicator", HealthIndicator.class).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsKeys("server.port", "client.callsInFlight");
        });
        runner.withPropertyValues("management.health.rpc.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("rpcHealthIndicator"));
    }

    @Test
    void theHealthIndicatorIsDownOnceTheServerStops() {
        runner.run(context -> {
            context.getBean(io.rpcboot.autoconfigure.RpcServerLifecycle.class).stop();
            Health health = context.getBean("rpcHealthIndicator", HealthIndicator.class).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void withoutActuatorOnTheClassPathOnlyTheCoreBeansExist() {
        runner.withClassLoader(new FilteredClassLoader(Endpoint.class, HealthIndicator.class))
                .withPropertyValues("management.endpoints.web.exposure.include=rpc").run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(RpcClient.class)
                            .doesNotHaveBean(RpcEndpoint.class).doesNotHaveBean("rpcHealthIndicator");
                });
    }

    @Test
    void rpcMetersLandInTheApplicationsMeterRegistry() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                        RpcAutoConfiguration.class, RpcClientAutoConfiguration.class, RpcServerAutoConfiguration.class))
                .withPropertyValues("rpc.server.port=0", "rpc.server.host=127.0.0.1", "rpc.server.io-threads=1")
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.find("rpc.server.connections").gauge()).isNotNull();
                    assertThat(registry.find("rpc.client.inflight").gauge()).as("no reference: no client meters").isNull();
                    assertThat(registry.find("rpc.buffer.pool.used").gauge()).isNotNull();
                });
    }
}
