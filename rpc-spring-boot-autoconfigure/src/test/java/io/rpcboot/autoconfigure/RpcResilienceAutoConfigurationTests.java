package io.rpcboot.autoconfigure;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rpcboot.annotation.RpcFallback;
import io.rpcboot.annotation.RpcReference;
import io.rpcboot.autoconfigure.Greetings.Greeter;
import io.rpcboot.autoconfigure.actuate.RpcEndpoint;
import io.rpcboot.autoconfigure.actuate.RpcEndpoint.BreakerReport;
import io.rpcboot.autoconfigure.actuate.RpcEndpointAutoConfiguration;
import io.rpcboot.core.RpcCircuitOpenException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Circuit breakers and fallbacks as a Boot application gets them: from rpc.client properties or the
 * application's Resilience4j registry, with their meters and their state in /actuator/rpc; a
 * fallback bean injected by name only.
 */
class RpcResilienceAutoConfigurationTests {

    /** An address nothing listens on: every call fails to connect. */
    private static int closedPort;

    @BeforeAll
    static void findAClosedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RpcAutoConfiguration.class, RpcClientAutoConfiguration.class,
                    RpcServerAutoConfiguration.class, RpcEndpointAutoConfiguration.class))
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withPropertyValues("rpc.client.io-threads=1", "rpc.client.connect-timeout=500ms",
                    "management.endpoints.web.exposure.include=rpc")
            .withInitializer(context -> TestPropertyValues.of("down.url=127.0.0.1:" + closedPort).applyTo(context));

    private static final String SERVICE = "rpc.client.services.[" + Greeter.class.getName() + "]";

    /** The fallback: a local answer, never injected by type. */
    @Component("greeterFallback")
    @RpcFallback
    static class LocalGreeter implements Greeter {
        @Override
        public String greet(String name) {
            return "Hi " + name + " (offline)";
        }

        @Override
        public CompletableFuture<String> greetSlowly(String name, long millis) {
            return CompletableFuture.completedFuture(greet(name));
        }
    }

    @Component
    static class Caller {
        @RpcReference(url = "${down.url}", fallback = "greeterFallback")
        Greeter greeter;
    }

    /** Injected by type: it must get the reference, not the fallback. */
    @Component
    static class ByType {
        final Greeter greeter;

        ByType(Greeter greeter) {
            this.greeter = greeter;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportRpcServices(types = Greeter.class, url = "${down.url}")
    static class GreeterBean {
    }

    @Test
    void aBreakerFromPropertiesOpensTheFallbackAnswersAndTheStateIsVisible() {
        runner.withUserConfiguration(Caller.class, LocalGreeter.class)
                .withPropertyValues("rpc.client.circuit-breaker.enabled=true",
                        SERVICE + ".circuit-breaker.minimum-number-of-calls=5",
                        SERVICE + ".circuit-breaker.sliding-window-size=5",
                        SERVICE + ".circuit-breaker.wait-duration-in-open-state=1m")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Greeter greeter = context.getBean(Caller.class).greeter;
                    for (int i = 0; i < 8; i++) {
                        assertThat(greeter.greet("Ada")).isEqualTo("Hi Ada (offline)");
                    }
                    BreakerReport report = context.getBean(RpcEndpoint.class).rpc().circuitBreakers().get(0);
                    assertThat(report.name()).isEqualTo(Greeter.class.getName());
                    assertThat(report.state()).isEqualTo("OPEN");
                    assertThat(report.failedCalls()).isEqualTo(5);
                    assertThat(report.notPermittedCalls()).isEqualTo(3);
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(meters.get("resilience4j.circuitbreaker.state").tag("name", Greeter.class.getName())
                            .tag("state", "open").gauge().value()).isEqualTo(1);
                    assertThat(meters.get("rpc.client.circuit-breaker.transitions").tag("to", "OPEN").counter().count())
                            .isEqualTo(1);
                    assertThat(meters.get("rpc.client.fallbacks").tag("reason", "circuit_open").counter().count())
                            .isEqualTo(3);
                });
    }

    @Test
    void aFallbackIsNoCandidateForInjectionByType() {
        runner.withUserConfiguration(GreeterBean.class, ByType.class, LocalGreeter.class).run(context -> {
            assertThat(context).hasNotFailed();
            Greeter injected = context.getBean(ByType.class).greeter;
            assertThat(injected).isNotInstanceOf(LocalGreeter.class);
            assertThat(catchThrowable(() -> injected.greet("Ada"))).as("the reference, calling the closed port")
                    .isInstanceOf(io.rpcboot.core.RpcException.class);
        });
    }

    /** A fallback declared without @RpcFallback would be a candidate for injection by type. */
    @Configuration(proxyBeanMethods = false)
    static class PlainFallback {
        @Bean
        Greeter plainFallback() {
            return new LocalGreeter();
        }
    }

    @Test
    void aFallbackThatCouldBeInjectedByTypeFailsStartupNamingTheProperty() {
        runner.withUserConfiguration(GreeterBean.class, PlainFallback.class)
                .withPropertyValues(SERVICE + ".fallback=plainFallback").run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = new RpcStartupFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription())
                            .contains("property rpc.client.services[" + Greeter.class.getName() + "].fallback")
                            .contains("'plainFallback'").contains("candidate for injection by type")
                            .contains("@RpcFallback");
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class AppRegistry {
        @Bean
        CircuitBreakerRegistry appBreakers() {
            CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
            registry.addConfiguration(Greeter.class.getName(), CircuitBreakerConfig.custom().minimumNumberOfCalls(2)
                    .slidingWindowSize(2).waitDurationInOpenState(Duration.ofMinutes(1)).build());
            return registry;
        }
    }

    @Test
    void theApplicationsRegistryHoldsTheBreakersWithItsNamedConfiguration() {
        runner.withUserConfiguration(GreeterBean.class, AppRegistry.class)
                .withPropertyValues("rpc.client.circuit-breaker.enabled=true").run(context -> {
                    assertThat(context).hasNotFailed();
                    Greeter greeter = context.getBean(Greeter.class);
                    for (int i = 0; i < 2; i++) {
                        assertThat(catchThrowable(() -> greeter.greet("Ada"))).isNotInstanceOf(RpcCircuitOpenException.class);
                    }
                    CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class)
                            .circuitBreaker(Greeter.class.getName());
                    assertThat(breaker.getState()).as("2 calls, the app's configuration").isEqualTo(CircuitBreaker.State.OPEN);
                    assertThat(catchThrowable(() -> greeter.greet("Ada"))).isInstanceOf(RpcCircuitOpenException.class);
                });
    }

    @Test
    void oneWayIsAMethodPropertyAndOnlyForVoidMethods() {
        runner.withUserConfiguration(GreeterBean.class).withPropertyValues(SERVICE + ".methods.[greet].one-way=true")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("one-way is for void methods")
                        .hasMessageContaining("greet(java.lang.String)"));
    }

    @Test
    void aMethodCanLeaveItsServicesBreakerOrHaveItsOwn() {
        runner.withUserConfiguration(GreeterBean.class)
                .withPropertyValues("rpc.client.circuit-breaker.enabled=true",
                        "rpc.client.circuit-breaker.minimum-number-of-calls=2",
                        "rpc.client.circuit-breaker.sliding-window-size=2",
                        SERVICE + ".methods.[greet].circuit-breaker.enabled=false",
                        SERVICE + ".methods.[greetSlowly].circuit-breaker.minimum-number-of-calls=3",
                        SERVICE + ".methods.[greetSlowly].circuit-breaker.sliding-window-size=3")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Greeter greeter = context.getBean(Greeter.class);
                    for (int i = 0; i < 10; i++) {
                        assertThat(catchThrowable(() -> greeter.greet("Ada"))).as("greet has no breaker")
                                .isNotInstanceOf(RpcCircuitOpenException.class);
                    }
                    for (int i = 0; i < 3; i++) {
                        assertThat(catchThrowable(() -> greeter.greetSlowly("Ada", 1).join()))
                                .hasCauseInstanceOf(io.rpcboot.core.RpcException.class);
                    }
                    assertThat(catchThrowable(() -> greeter.greetSlowly("Ada", 1).join()))
                            .as("its own breaker opened after 3").hasCauseInstanceOf(RpcCircuitOpenException.class);
                    assertThat(context.getBean(RpcEndpoint.class).rpc().circuitBreakers()).extracting(BreakerReport::name)
                            .containsExactly(Greeter.class.getName(), Greeter.class.getName() + "#greet",
                                    Greeter.class.getName() + "#greetSlowly");
                });
    }

    @Test
    void breakersAreOffByDefault() {
        runner.withUserConfiguration(GreeterBean.class).run(context -> {
            Greeter greeter = context.getBean(Greeter.class);
            for (int i = 0; i < 30; i++) {
                assertThat(catchThrowable(() -> greeter.greet("Ada"))).isNotInstanceOf(RpcCircuitOpenException.class);
            }
            assertThat(context.getBean(RpcEndpoint.class).rpc().circuitBreakers()).isEmpty();
        });
    }
}
