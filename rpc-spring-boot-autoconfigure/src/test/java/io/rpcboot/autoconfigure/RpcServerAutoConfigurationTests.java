package io.rpcboot.autoconfigure;

import io.rpcboot.autoconfigure.Greetings.Counter;
import io.rpcboot.core.resources.RpcResources;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.server.ExecutionMode;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** {@link RpcServerAutoConfiguration}: each condition, and the customizer hook. */
class RpcServerAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RpcAutoConfiguration.class, RpcClientAutoConfiguration.class,
                    RpcServerAutoConfiguration.class))
            .withPropertyValues("rpc.server.port=0", "rpc.server.host=127.0.0.1", "rpc.server.io-threads=1",
                    "rpc.client.io-threads=1");

    /**
     * Wraps every Counter bean in a JDK interface proxy that counts the calls it passes on, as
     * interface-based AOP would; its extra interface (java.io.Serializable) is not taken for a
     * second service interface.
     */
    static class InterfaceProxies implements org.springframework.beans.factory.config.BeanPostProcessor {
        static final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Object postProcessAfterInitialization(Object bean, String beanName) {
            if (!(bean instanceof Counter)) {
                return bean;
            }
            return java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Counter.class, java.io.Serializable.class}, (proxy, method, args) -> {
                        calls.incrementAndGet();
                        return method.invoke(bean, args);
                    });
        }
    }

    @Test
    void aProviderBehindAJdkInterfaceProxyIsServedThroughTheProxy() {
        runner.withBean(InterfaceProxies.class).withBean(Greetings.AnswerCounter.class).run(context -> {
            assertThat(context).hasNotFailed();
            int before = InterfaceProxies.calls.get();
            assertThat(context.getBean(RpcClient.class).create(Counter.class).next()).isEqualTo(42);
            assertThat(InterfaceProxies.calls.get()).as("the call went through the proxy's advice").isEqualTo(before + 1);
        });
    }

    @Test
    void withoutTheServerClassThereIsNoServer() {
        runner.withClassLoader(new FilteredClassLoader(RpcServer.class)).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(RpcServer.class).doesNotHaveBean(RpcServerLifecycle.class);
            assertThat(context).hasSingleBean(RpcClient.class);
        });
    }

    @Test
    void theServerIsAbsentWhenDisabled() {
        runner.withPropertyValues("rpc.server.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(RpcClient.class).doesNotHaveBean(RpcServer.class)
                    .doesNotHaveBean(RpcServerLifecycle.class);
        });
    }

    @Test
    void theServerListensOnlyWithProvidersOrWhenEnabled() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(RpcServerLifecycle.class).isIdle()).isTrue();
            assertThat(context.getBean(RpcServer.class).isRunning()).isFalse();
        });
        runner.withBean(Greetings.DefaultGreeter.class).run(context ->
                assertThat(context.getBean(RpcServer.class).isRunning()).isTrue());
        runner.withPropertyValues("rpc.server.enabled=true").run(context ->
                assertThat(context.getBean(RpcServer.class).isRunning()).isTrue());
    }

    @Test
    void aUserServerWinsAndTheLifecycleRunsIt() {
        runner.withPropertyValues("rpc.server.enabled=true").withBean("myServer", RpcServer.class, () -> RpcServer.builder().bind("127.0.0.1", 0).build(),
                d -> d.setDestroyMethodName("close")).run(context -> {
                    assertThat(context).hasSingleBean(RpcServer.class).hasBean("myServer").doesNotHaveBean("rpcServer");
                    RpcServerLifecycle lifecycle = context.getBean(RpcServerLifecycle.class);
                    assertThat(lifecycle.getServer()).isSameAs(context.getBean("myServer"));
                    assertThat(lifecycle.getServer().isRunning()).isTrue();
                });
    }

    @Test
    void propertiesReachTheServerAndTheSharedLoops() {
        runner.withPropertyValues("rpc.server.io-threads=2", "rpc.server.execution-mode=DIRECT",
                        "rpc.server.limits.max-connections=12", "rpc.server.limits.max-header-size=4KB")
                .run(context -> {
                    ServerConfig config = context.getBean(RpcServer.class).config();
                    assertThat(config.ioThreads()).isEqualTo(2);
                    assertThat(config.executionMode()).isEqualTo(ExecutionMode.DIRECT);
                    assertThat(config.maxConnections()).isEqualTo(12);
                    assertThat(config.peerLimits().maxHeaderSize()).isEqualTo(4096);
                    assertThat(context.getBean(RpcResources.class).serverIoThreads()).isEqualTo(2);
                });
    }

    @Test
    void anUnsetVirtualThreadsPropertyFollowsBootsSwitchOnAnyJava() {
        RpcProperties.Server p = new RpcProperties.Server();
        assertThat(RpcConfigurations.virtualThreads(p, true)).isTrue();
        assertThat(RpcConfigurations.virtualThreads(p, false)).isFalse();
        p.setVirtualThreads(false);
        assertThat(RpcConfigurations.virtualThreads(p, true)).as("set: wins over Boot's switch").isFalse();
        p.setVirtualThreads(true);
        assertThat(RpcConfigurations.virtualThreads(p, false)).isTrue();
    }

    @Test
    void virtualWorkersFollowBootsSwitchUnlessSetAndNeedJava21() {
        boolean java21 = Runtime.version().feature() >= 21;
        runner.run(context -> assertThat(context.getBean(RpcServer.class).config().virtualThreads()).isFalse());
        // Boot's switch counts on a JDK that has virtual threads (Boot ignores it before Java 21, and so do we)
        runner.withPropertyValues("spring.threads.virtual.enabled=true").run(context ->
                assertThat(context.getBean(RpcServer.class).config().virtualThreads()).isEqualTo(java21));
        runner.withPropertyValues("spring.threads.virtual.enabled=true", "rpc.server.virtual-threads=false").run(context ->
                assertThat(context.getBean(RpcServer.class).config().virtualThreads()).isFalse());
        if (java21) {
            runner.withPropertyValues("rpc.server.virtual-threads=true").run(context ->
                    assertThat(context.getBean(RpcServer.class).config().virtualThreads()).isTrue());
        } else { // asked for by name: refused at startup, naming the property
            runner.withPropertyValues("rpc.server.virtual-threads=true").run(context -> assertThat(context).getFailure()
                    .rootCause().hasMessageContaining("Property rpc.server.virtual-threads with value 'true' is invalid")
                    .hasMessageContaining("virtualThreads needs Java 21 or later"));
        }
    }

    @Test
    void customizersChangeTheBuiltServerInTheirOrder() {
        runner.withPropertyValues("rpc.server.enabled=true").withUserConfiguration(Customizers.class).run(context -> {
            assertThat(context).hasNotFailed();
            RpcServer server = context.getBean(RpcServer.class);
            // @Order(2) ran after @Order(1), although declared first
            assertThat(server.config().workerThreads()).isEqualTo(5);
            // a service added by a customizer, not a bean, answers over the socket
            assertThat(context.getBean(RpcClient.class).create(Counter.class).next()).isEqualTo(42);
        });
    }

    @Test
    void badValuesFailNamingTheProperty() {
        runner.withPropertyValues("rpc.server.execution-mode=threads").run(context -> assertThat(context).getFailure()
                .hasStackTraceContaining("Failed to bind properties under 'rpc.server.execution-mode'")
                .rootCause().hasMessageContaining("threads"));
        runner.withPropertyValues("rpc.server.worker-threads=0").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.server.worker-threads with value '0' is invalid")
                .hasMessageContaining("workerThreads must be 1..100000"));
        runner.withPropertyValues("rpc.server.port=70000").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.server.port with value '70000' is invalid"));
        runner.withPropertyValues("rpc.server.io-threads=-1").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.server.io-threads with value '-1' is invalid"));
        runner.withPropertyValues("rpc.server.limits.max-connections=0").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.server.limits.max-connections with value '0' is invalid"));
        runner.withPropertyValues("rpc.server.limits.max-header-size=100B").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.server.limits.max-header-size with value '100' is invalid")
                .hasMessageContaining("maxHeaderSize must be 256 B .. 1 MiB"));
        runner.withPropertyValues("rpc.server.drain-timeout=-1s").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.server.drain-timeout with value 'PT-1S' is invalid"));
    }

    /** Declared out of order on purpose: {@code @Order} decides. */
    @Configuration(proxyBeanMethods = false)
    static class Customizers {
        @Bean
        @Order(2)
        RpcServerCustomizer fiveWorkers() {
            return builder -> builder.config(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
                    .workerThreads(5).build()).service(Counter.class, () -> 42);
        }

        @Bean
        @Order(1)
        RpcServerCustomizer threeWorkers() {
            return builder -> builder.config(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
                    .workerThreads(3).build());
        }
    }

    @Test
    void rateLimitsBindPerServiceAndPerMethodAndAreChecked() {
        String greeter = "rpc.server.services.[" + Greetings.Greeter.class.getName() + "]";
        runner.withPropertyValues(greeter + ".rate-limit=500", greeter + ".methods.[greet].rate-limit=50")
                .withBean(Greetings.DefaultGreeter.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(RpcServer.class).config().rateLimits()).containsEntry(
                            Greetings.Greeter.class.getName(), 500.0).containsEntry(
                            Greetings.Greeter.class.getName() + "#greet", 50.0);
                });
        runner.withPropertyValues(greeter + ".rate-limit=0").run(context -> assertThat(context).getFailure().rootCause()
                .hasMessageContaining("Property rpc.server.services[" + Greetings.Greeter.class.getName()
                        + "].rate-limit with value '0.0' is invalid"));
        runner.withPropertyValues(greeter + ".methods.[hello].rate-limit=5").withBean(Greetings.DefaultGreeter.class)
                .run(context -> assertThat(new RpcStartupFailureAnalyzer().analyze(context.getStartupFailure())
                        .getDescription()).contains("cannot be published").contains("has no method hello"));
    }

    @Test
    void executionModesBindPerServiceAndPerMethodAndAreChecked() {
        String greeter = "rpc.server.services.[" + Greetings.Greeter.class.getName() + "]";
        runner.withPropertyValues("rpc.server.execution-mode=direct", greeter + ".execution=adaptive",
                greeter + ".methods.[greet].execution=pool").withBean(Greetings.DefaultGreeter.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    ServerConfig config = context.getBean(RpcServer.class).config();
                    assertThat(config.executionMode()).isEqualTo(ExecutionMode.DIRECT);
                    assertThat(config.executions()).containsOnly(
                            entry(Greetings.Greeter.class.getName(), ExecutionMode.ADAPTIVE),
                            entry(Greetings.Greeter.class.getName() + "#greet",
                                    ExecutionMode.POOL));
                });
        runner.withPropertyValues(greeter + ".methods.[hello].execution=pool").withBean(Greetings.DefaultGreeter.class)
                .run(context -> assertThat(new RpcStartupFailureAnalyzer().analyze(context.getStartupFailure())
                        .getDescription()).contains("cannot be published").contains("has no method hello"));
        runner.withPropertyValues(greeter + ".execution=sideways").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("sideways"));
    }

    @Test
    void theConcurrencyLimitIsOffUnlessEnabledAndItsSettingsAreChecked() {
        runner.run(context -> assertThat(context.getBean(RpcServer.class).config().concurrencyLimit()).isNull());
        runner.withPropertyValues("rpc.server.concurrency-limit.enabled=true", "rpc.server.concurrency-limit.max=50")
                .run(context -> assertThat(context.getBean(RpcServer.class).config().concurrencyLimit())
                        .isEqualTo(new io.rpcboot.core.server.ConcurrencyLimit(20, 4, 50, 1.25)));
        runner.withPropertyValues("rpc.server.concurrency-limit.enabled=true", "rpc.server.concurrency-limit.tolerance=0.5")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("Property rpc.server.concurrency-limit.tolerance with value '0.5' is invalid"));
    }

    @Test
    void httpIsOnByDefaultAndItsSettingsBindAndAreChecked() {
        runner.run(context -> {
            ServerConfig config = context.getBean(RpcServer.class).config();
            assertThat(config.httpEnabled()).isTrue();
            assertThat(config.maxHttpHeaderSize()).isEqualTo(8 * 1024);
            assertThat(config.maxHttpHeaderFields()).isEqualTo(100);
            assertThat(config.maxHttpPipelinedSize()).isEqualTo(1024 * 1024);
        });
        runner.withPropertyValues("rpc.server.http.enabled=false", "rpc.server.http.max-header-size=16KB",
                "rpc.server.http.max-header-fields=40", "rpc.server.http.max-pipelined-size=64KB").run(context -> {
            ServerConfig config = context.getBean(RpcServer.class).config();
            assertThat(config.httpEnabled()).isFalse();
            assertThat(config.maxHttpHeaderSize()).isEqualTo(16 * 1024);
            assertThat(config.maxHttpHeaderFields()).isEqualTo(40);
            assertThat(config.maxHttpPipelinedSize()).isEqualTo(64 * 1024);
        });
        runner.withPropertyValues("rpc.server.http.max-header-size=100B").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.server.http.max-header-size with value '100' is invalid"));
        runner.withPropertyValues("rpc.server.http.max-header-fields=0").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.server.http.max-header-fields with value '0' is invalid"));
        runner.withPropertyValues("rpc.server.http.max-pipelined-size=100B").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.server.http.max-pipelined-size with value '100' is invalid"));
    }

    @Test
    void udpIsOffByDefaultAndItsSettingsBindAndAreChecked() {
        runner.run(context -> assertThat(context.getBean(RpcServer.class).config().udpEnabled()).isFalse());
        runner.withPropertyValues("rpc.server.udp.enabled=true", "rpc.server.udp.max-datagram-size=4KB").run(context -> {
            ServerConfig config = context.getBean(RpcServer.class).config();
            assertThat(config.udpEnabled()).isTrue();
            assertThat(config.maxDatagramSize()).isEqualTo(4096);
        });
        runner.withPropertyValues("rpc.server.udp.max-datagram-size=100B").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.server.udp.max-datagram-size with value '100' is invalid"));
        runner.withPropertyValues("rpc.server.udp.enabled=true", "rpc.server.transport=in-process").run(context -> {
            assertThat(context).hasNotFailed(); // test slices run in process: no UDP there, and no failure
            assertThat(context.getBean(RpcServer.class).config().udpEnabled()).isFalse();
        });
        runner.withPropertyValues("rpc.server.udp.enabled=true", "rpc.server.auth.tokens.ops.token=s3cret")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("Property rpc.server.udp.enabled with value 'true' is invalid")
                        .hasMessageContaining("authenticates its callers"));
    }
}
