package io.rpcboot.autoconfigure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.rpcboot.annotation.RpcProvider;
import io.rpcboot.annotation.RpcReference;
import io.rpcboot.core.RpcContext;
import io.rpcboot.core.intercept.ClientInterceptor;
import io.rpcboot.core.intercept.ServerInterceptor;
import io.rpcboot.core.observation.ObservationClientInterceptor;
import io.rpcboot.core.observation.ObservationServerInterceptor;
import io.rpcboot.core.observation.RpcClientObservationContext;
import io.rpcboot.core.observation.RpcServerObservationContext;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;

/** Interceptor beans, metadata properties and observations, through a provider and a consumer in one context. */
class RpcInterceptorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RpcAutoConfiguration.class, RpcClientAutoConfiguration.class,
                    RpcServerAutoConfiguration.class, RpcObservationAutoConfiguration.class))
            .withPropertyValues("rpc.server.port=0", "rpc.server.host=127.0.0.1", "rpc.server.io-threads=1",
                    "rpc.client.io-threads=1", "tenant=acme")
            .withUserConfiguration(Beans.class);

    public interface Echo {
        String metadata(String key);
    }

    @RpcProvider
    public static class MetadataEcho implements Echo {
        public String metadata(String key) {
            return String.valueOf(RpcContext.metadata().get(key));
        }
    }

    public static class Caller {
        @RpcReference(metadata = {"tenant=${tenant}", "source = caller"})
        Echo echo;
    }

    @Configuration(proxyBeanMethods = false)
    static class Beans {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Bean
        MetadataEcho metadataEcho() {
            return new MetadataEcho();
        }

        @Bean
        Caller caller() {
            return new Caller();
        }

        @Bean
        List<String> events() {
            return events;
        }

        @Bean
        @Order(2)
        ClientInterceptor second() {
            return chain -> {
                events.add("client 2");
                return chain.proceed();
            };
        }

        @Bean
        @Order(1)
        ClientInterceptor first() {
            return chain -> {
                events.add("client 1");
                return chain.proceed();
            };
        }

        @Bean
        ServerInterceptor server() {
            return chain -> {
                events.add("server");
                return chain.proceed();
            };
        }
    }

    @Test
    void interceptorBeansRunInTheirOrderAndMetadataComesFromPropertiesAndTheAnnotation() {
        runner.withPropertyValues("rpc.client.metadata.app=shop", "rpc.client.metadata.source=properties")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    @SuppressWarnings("unchecked")
                    List<String> events = context.getBean("events", List.class);
                    Echo echo = context.getBean(Caller.class).echo;
                    assertThat(echo.metadata("tenant")).isEqualTo("acme");
                    assertThat(events).containsExactly("client 1", "client 2", "server");
                    assertThat(echo.metadata("app")).isEqualTo("shop");
                    assertThat(echo.metadata("source")).as("the annotation wins over the properties").isEqualTo("caller");
                });
    }

    @Test
    void badMetadataFailsAtStartupNamingWhere() {
        runner.withPropertyValues("rpc.client.metadata.Bad=x").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("rpc.client.metadata").hasMessageContaining("'Bad'"));
        runner.withPropertyValues("rpc.client.propagated-metadata=ok,deadline").run(context -> assertThat(context)
                .getFailure().rootCause().hasMessageContaining("rpc.client.propagated-metadata")
                .hasMessageContaining("'deadline'"));
    }

    private static Meter.Id id(String name) {
        return new Meter.Id(name, Tags.empty(), null, null, Meter.Type.TIMER);
    }

    @Test
    void withAnObservationRegistryEachCallIsObservedOnBothSidesAndTheirTimersAreNotDuplicated() {
        List<Observation.Context> stopped = Collections.synchronizedList(new ArrayList<>());
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(Observation.Context context) {
                stopped.add(context);
            }
        });
        runner.withBean(ObservationRegistry.class, () -> observations).withPropertyValues("rpc.observation.mode=always")
                .run(context -> {
                    assertThat(context).hasSingleBean(ObservationClientInterceptor.class);
                    assertThat(context.getBean(Caller.class).echo.metadata("tenant")).isEqualTo("acme");
                    assertThat(stopped).hasSize(2);
                    assertThat(stopped).filteredOn(c -> c instanceof RpcServerObservationContext).singleElement()
                            .satisfies(c -> {
                                assertThat(c.getName()).isEqualTo("rpc.server");
                                assertThat(c.getContextualName()).isEqualTo(Echo.class.getName() + "/metadata");
                                assertThat(c.getLowCardinalityKeyValue("rpc.method").getValue()).isEqualTo("metadata");
                                assertThat(c.getLowCardinalityKeyValue("rpc.system").getValue()).isEqualTo("rpc-boot");
                                assertThat(c.getLowCardinalityKeyValue("error.type").getValue()).isEqualTo("none");
                            });
                    assertThat(stopped).filteredOn(c -> c instanceof RpcClientObservationContext).singleElement()
                            .satisfies(c -> assertThat(c.getHighCardinalityKeyValue("server.port")).isNotNull());
                    MeterFilter filter = context.getBean("rpcObservationTimersFilter", MeterFilter.class);
                    assertThat(filter.accept(id("rpc.client"))).isEqualTo(MeterFilterReply.DENY);
                    assertThat(filter.accept(id("rpc.server.active"))).isEqualTo(MeterFilterReply.DENY);
                    assertThat(filter.accept(id("rpc.client.requests"))).isEqualTo(MeterFilterReply.NEUTRAL);
                });
        runner.withBean(ObservationRegistry.class, () -> observations).withPropertyValues("rpc.observation.mode=never")
                .run(context -> assertThat(context).doesNotHaveBean(ObservationClientInterceptor.class));
        // auto, the default: no tracer, no observations (they would only feed meters the request timers provide)
        runner.withBean(ObservationRegistry.class, () -> observations)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ObservationClientInterceptor.class)
                        .doesNotHaveBean(ObservationServerInterceptor.class));
        // auto with Boot's no-op tracer (micrometer-tracing without a bridge): no spans to make, no observations
        runner.withBean(ObservationRegistry.class, () -> observations)
                .withBean(io.micrometer.tracing.Tracer.class, () -> io.micrometer.tracing.Tracer.NOOP)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ObservationClientInterceptor.class));
        // auto with a bridge's tracer: sample-consumer's ObservabilityEndToEndTests (OpenTelemetry)
    }
}
