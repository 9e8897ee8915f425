package io.rpcboot.autoconfigure;

import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.observation.ObservationRegistry;
import io.rpcboot.core.observation.ObservationClientInterceptor;
import io.rpcboot.core.observation.ObservationServerInterceptor;
import io.rpcboot.core.observation.RpcObservationConventions;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Client and server calls as Micrometer observations when the application has an
 * {@link ObservationRegistry} (Spring Boot's Actuator makes one): the two interceptors run first
 * ({@link #ORDER}), so every other interceptor and the provider method run inside the call's
 * observation, and with Micrometer Tracing its trace context travels in the call's metadata.
 * {@code rpc.observation.mode}: {@code auto} (the default) observes when a Micrometer Tracing
 * {@code Tracer} bean exists, {@code always} whenever there is a registry, {@code never} never.
 * Without a tracer the observations would only feed meters the request timers already provide, and
 * cost about half the throughput of a small call (docs/benchmarks.md). A bean of
 * {@link RpcObservationConventions.Client} or {@link RpcObservationConventions.Server} replaces the
 * default names and tags.
 *
 * <p>The observations' own timers ({@code rpc.client}, {@code rpc.server} and their {@code .active}
 * long-task timers, which Boot's meter handler would add) are filtered out: the request timers
 * {@code rpc.client.requests} and {@code rpc.server.requests} already measure every call, with
 * buckets and the outcome, status and exception of each.
 */
@AutoConfiguration(after = RpcAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
        "org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration",
        "org.springframework.boot.micrometer.tracing.autoconfigure.NoopTracerAutoConfiguration",
        "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration"})
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean(ObservationRegistry.class)
@Conditional(RpcObservationAutoConfiguration.Observe.class)
public class RpcObservationAutoConfiguration {

    /** The observation interceptors' order: before every interceptor an application declares without a lower one. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 1000;

    @Bean
    @Order(ORDER)
    @ConditionalOnMissingBean
    ObservationClientInterceptor rpcObservationClientInterceptor(ObservationRegistry registry,
                                                                 ObjectProvider<RpcObservationConventions.Client> convention) {
        return new ObservationClientInterceptor(registry, convention.getIfAvailable());
    }

    @Bean
    @Order(ORDER)
    @ConditionalOnMissingBean
    ObservationServerInterceptor rpcObservationServerInterceptor(ObservationRegistry registry,
                                                                 ObjectProvider<RpcObservationConventions.Server> convention) {
        return new ObservationServerInterceptor(registry, convention.getIfAvailable());
    }

    /** {@code rpc.observation.mode=always}, or {@code auto} (the default) with a Micrometer Tracing bridge's tracer. */
    static final class Observe extends AnyNestedCondition {

        Observe() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(name = "rpc.observation.mode", havingValue = "always")
        static final class Always {
        }

        // a tracer of a real bridge: Boot's no-op Tracer (micrometer-tracing without a bridge) makes no spans
        @ConditionalOnProperty(name = "rpc.observation.mode", havingValue = "auto", matchIfMissing = true)
        @ConditionalOnClass(name = "io.micrometer.tracing.otel.bridge.OtelTracer")
        @ConditionalOnBean(type = "io.micrometer.tracing.Tracer")
        static final class WithOpenTelemetry {
        }

        @ConditionalOnProperty(name = "rpc.observation.mode", havingValue = "auto", matchIfMissing = true)
        @ConditionalOnClass(name = "io.micrometer.tracing.brave.bridge.BraveTracer")
        @ConditionalOnBean(type = "io.micrometer.tracing.Tracer")
        static final class WithBrave {
        }
    }

    @Bean
    MeterFilter rpcObservationTimersFilter() {
        return MeterFilter.deny(id -> switch (id.getName()) {
            case "rpc.client", "rpc.client.active", "rpc.server", "rpc.server.active" -> true;
            default -> false;
        });
    }
}
