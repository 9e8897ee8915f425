package io.rpcboot.autoconfigure;

import java.time.Duration;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rpcboot.core.resources.RpcResources;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RpcClientAutoConfiguration}: each condition, and the customizer hook. */
class RpcClientAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RpcAutoConfiguration.class, RpcClientAutoConfiguration.class))
            .withPropertyValues("rpc.client.io-threads=1", "rpc.server.io-threads=1");

    @Test
    void withoutTheClientClassThereIsNoClient() {
        runner.withClassLoader(new FilteredClassLoader(RpcClient.class)).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(RpcClient.class)
                    .doesNotHaveBean(RpcReferenceAnnotationBeanPostProcessor.class);
            assertThat(context).hasSingleBean(RpcResources.class);
        });
    }

    @Test
    void aUserClientWinsAndIsNotCustomized() {
        runner.withUserConfiguration(Customizers.class)
                .withBean("myClient", RpcClient.class, () -> RpcClient.builder().build(), d -> d.setDestroyMethodName("close"))
                .run(context -> {
                    assertThat(context).hasSingleBean(RpcClient.class).hasBean("myClient").doesNotHaveBean("rpcClient");
                    assertThat(context.getBean(RpcClient.class).config().timeout()).isEqualTo(Duration.ofSeconds(3));
                });
    }

    @Test
    void propertiesReachTheClientAndTheSharedLoops() {
        runner.withPropertyValues("rpc.client.io-threads=3", "rpc.client.timeout=1500ms",
                        "rpc.client.limits.max-attachments=7")
                .run(context -> {
                    RpcClient client = context.getBean(RpcClient.class);
                    assertThat(client.config().ioThreads()).isEqualTo(3);
                    assertThat(client.config().timeout()).isEqualTo(Duration.ofMillis(1500));
                    assertThat(client.config().peerLimits().maxAttachments()).isEqualTo(7);
                    assertThat(context.getBean(RpcResources.class).clientIoThreads()).isEqualTo(3);
                });
    }

    @Test
    void customizersChangeTheBuiltClientInTheirOrder() {
        SimpleMeterRegistry own = new SimpleMeterRegistry();
        runner.withUserConfiguration(Customizers.class)
                .withBean(RpcClientCustomizer.class, () -> builder -> builder.metrics(new RpcMetrics(own)))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    // @Order(2) ran after @Order(1), although declared first
                    assertThat(context.getBean(RpcClient.class).config().timeout()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(own.find("rpc.client.inflight").gauge()).as("no reference yet: no client meters").isNull();
                    context.getBean(RpcClient.class).create(Greetings.Greeter.class);
                    assertThat(own.find("rpc.client.inflight").gauge()).as("the client's meters went to the customizer's registry")
                            .isNotNull();
                    assertThat(context.getBean(RpcMetrics.class).registry().find("rpc.client.inflight").gauge()).isNull();
                });
    }

    @Test
    void badValuesFailNamingTheProperty() {
        runner.withPropertyValues("rpc.client.connections-per-endpoint=65").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.client.connections-per-endpoint with value '65' is invalid")
                .hasMessageContaining("connectionsPerEndpoint must be 1..64"));
        runner.withPropertyValues("rpc.client.timeout=0s").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.client.timeout with value 'PT0S' is invalid"));
        runner.withPropertyValues("rpc.client.retries=101").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.client.retries with value '101' is invalid"));
        runner.withPropertyValues("rpc.client.io-threads=2000").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.client.io-threads with value '2000' is invalid")
                .hasMessageContaining("clientIoThreads must be 1..1024"));
        runner.withPropertyValues("rpc.client.limits.high-water-mark=16KB").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.client.limits.high-water-mark with value '16384' is invalid")
                .hasMessageContaining("highWaterMark must be > lowWaterMark (524288)"));
        runner.withPropertyValues("rpc.client.max-frame-size=3GB").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.client.max-frame-size with value '3221225472B' is invalid"));
    }

    /** Declared out of order on purpose: {@code @Order} decides. */
    @Configuration(proxyBeanMethods = false)
    static class Customizers {
        @Bean
        @Order(2)
        RpcClientCustomizer fiveSeconds() {
            return builder -> builder.config(ClientConfig.builder().timeout(Duration.ofSeconds(5)).ioThreads(1).build());
        }

        @Bean
        @Order(1)
        RpcClientCustomizer oneSecond() {
            return builder -> builder.config(ClientConfig.builder().timeout(Duration.ofSeconds(1)).ioThreads(1).build());
        }
    }

    @Test
    void theRetryBudgetBindsAndIsChecked() {
        runner.withPropertyValues("rpc.client.retry-budget.ratio=0.5", "rpc.client.retry-budget.min-per-second=3",
                "rpc.client.retry-budget.window=30s").run(context -> {
                    io.rpcboot.core.client.RetryBudget budget = context.getBean(io.rpcboot.core.client.RpcClient.class)
                            .config().retryBudget();
                    assertThat(budget.ratio()).isEqualTo(0.5);
                    assertThat(budget.minPerSecond()).isEqualTo(3);
                    assertThat(budget.window()).isEqualTo(java.time.Duration.ofSeconds(30));
                });
        runner.withPropertyValues("rpc.client.retry-budget.ratio=2").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.client.retry-budget.ratio with value '2.0' is invalid")
                .hasMessageContaining("ratio must be 0..1"));
    }
}
