package io.rpcboot.autoconfigure;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import io.rpcboot.autoconfigure.Greetings.BadConsumer;
import io.rpcboot.autoconfigure.Greetings.ChosenInterface;
import io.rpcboot.autoconfigure.Greetings.Consumer;
import io.rpcboot.autoconfigure.Greetings.Counter;
import io.rpcboot.autoconfigure.Greetings.DefaultGreeter;
import io.rpcboot.autoconfigure.Greetings.NoInterface;
import io.rpcboot.autoconfigure.Greetings.TwoInterfaces;
import io.rpcboot.autoconfigure.Greetings.VersionedGreeter;
import io.rpcboot.core.BufferPoolStats;
import io.rpcboot.core.resources.RpcResources;
import io.rpcboot.core.balance.LoadBalancers;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.InMemoryServiceRegistry;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.serialize.TypeAllowList;
import io.rpcboot.core.server.ExecutionMode;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class RpcAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RpcAutoConfiguration.class, RpcClientAutoConfiguration.class,
                    RpcServerAutoConfiguration.class))
            .withPropertyValues("rpc.server.port=0", "rpc.server.host=127.0.0.1", "rpc.server.io-threads=1",
                    "rpc.client.io-threads=1");

    @Test
    void defaultsGiveEveryPartAndNoListeningServerWithoutProviders() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            for (Class<?> type : List.of(RpcClient.class, RpcServer.class, RpcServerLifecycle.class, ServiceRegistry.class,
                    RpcResources.class, Serializations.class, TypeAllowList.class, LoadBalancers.class, RpcMetrics.class,
                    RpcServiceCatalog.class)) {
                assertThat(context).hasSingleBean(type);
            }
            assertThat(context.getBean(ServiceRegistry.class)).isInstanceOf(InMemoryServiceRegistry.class);
            ClientConfig client = context.getBean(RpcClient.class).config();
            assertThat(client.timeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(client.loadBalancer()).isEqualTo("round-robin");
            assertThat(client.serialization()).isEqualTo("binary");
            assertThat(client.retries()).isZero();
            RpcServer server = context.getBean(RpcServer.class);
            assertThat(server.isRunning()).as("no @RpcProvider beans: no listening server").isFalse();
            assertThat(server.config().executionMode()).isEqualTo(ExecutionMode.ADAPTIVE);
            assertThat(server.config().workerThreads()).isEqualTo(200);
            assertThat(server.config().drainTimeout()).isEqualTo(Duration.ofSeconds(10));
        });
    }

    @Test
    void eachPropertyBinds() {
        runner.withPropertyValues("rpc.server.worker-threads=7", "rpc.server.queue-capacity=9",
                        "rpc.server.execution-mode=direct", "rpc.server.max-frame-size=2MB", "rpc.server.idle-timeout=90s",
                        "rpc.server.drain-timeout=3s", "rpc.server.checksum=true", "rpc.server.compression-threshold=8KB",
                        "rpc.server.advertised-host=10.1.2.3", "rpc.client.timeout=750ms", "rpc.client.connect-timeout=2s",
                        "rpc.client.connections-per-endpoint=3", "rpc.client.max-in-flight-per-connection=99",
                        "rpc.client.heartbeat-interval=5s", "rpc.client.idle-connection-timeout=1m", "rpc.client.retries=2",
                        "rpc.client.load-balancer=p2c", "rpc.serialization=json", "rpc.buffer-pool.max-pooled=8MB",
                        "rpc.buffer-pool.max-buffer-size=32KB", "rpc.buffer-pool.direct=false",
                        "rpc.allowed-types=java.util.BitSet",
                        "rpc.registry.instances.[com.example.Greeter]=127.0.0.1:7070, 127.0.0.1:7071")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ServerConfig s = context.getBean(RpcServer.class).config();
                    assertThat(s.workerThreads()).isEqualTo(7);
                    assertThat(s.queueCapacity()).isEqualTo(9);
                    assertThat(s.executionMode()).isEqualTo(ExecutionMode.DIRECT);
                    assertThat(s.maxFrameSize()).isEqualTo(2 * 1024 * 1024);
                    assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
                    assertThat(s.drainTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(s.checksum()).isTrue();
                    assertThat(s.compressionThreshold()).isEqualTo(8 * 1024);
                    assertThat(s.advertisedHost()).isEqualTo("10.1.2.3");
                    ClientConfig c = context.getBean(RpcClient.class).config();
                    assertThat(c.timeout()).isEqualTo(Duration.ofMillis(750));
                    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(c.connectionsPerEndpoint()).isEqualTo(3);
                    assertThat(c.maxInFlightPerConnection()).isEqualTo(99);
                    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(c.idleConnectionTimeout()).isEqualTo(Duration.ofMinutes(1));
                    assertThat(c.retries()).isEqualTo(2);
                    assertThat(c.loadBalancer()).isEqualTo("p2c");
                    assertThat(c.serialization()).isEqualTo("json");
                    BufferPoolStats pool = context.getBean(RpcResources.class).bufferPoolStats();
                    assertThat(pool.maxPooledBytes()).isEqualTo(8 * 1024 * 1024);
                    assertThat(pool.maxBufferSize()).isEqualTo(32 * 1024);
                    assertThat(pool.direct()).isFalse();
                    assertThat(context.getBean(TypeAllowList.class).isAllowed("java.util.BitSet")).isTrue();
                    assertThat(context.getBean(ServiceRegistry.class)
                            .instances(new ServiceKey("com.example.Greeter", "", "")))
                            .extracting(i -> i.address()).containsExactly("127.0.0.1:7070", "127.0.0.1:7071");
                });
    }

    @Test
    void userBeansReplaceOurs() {
        InMemoryServiceRegistry registry = new InMemoryServiceRegistry();
        RpcResources resources = RpcResources.builder().maxPooledBytes(1024).clientIoThreads(1).serverIoThreads(1).build();
        runner.withBean(ServiceRegistry.class, () -> registry).withBean(RpcResources.class, () -> resources)
                .withBean("myMetrics", RpcMetrics.class, RpcMetrics::simple)
                .run(context -> {
                    assertThat(context).hasSingleBean(ServiceRegistry.class).hasSingleBean(RpcResources.class)
                            .hasSingleBean(RpcMetrics.class);
                    assertThat(context.getBean(ServiceRegistry.class)).isSameAs(registry);
                    assertThat(context.getBean(RpcResources.class)).isSameAs(resources);
                    assertThat(context).hasBean("myMetrics").doesNotHaveBean("rpcMetrics");
                });
    }

    @Test
    void providersAreServedAndReferencesInjectedWithPlaceholdersAndSources() {
        runner.withPropertyValues("greeter.version=3.1", "rpc.client.retries=1")
                .withUserConfiguration(ProviderAndConsumer.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    Consumer consumer = context.getBean(Consumer.class);
                    assertThat(consumer.greeter.greet("Ada")).isEqualTo("Hello, Ada!");
                    assertThat(consumer.versioned.greet("Bo")).isEqualTo("v2 Bo");
                    RpcServiceCatalog catalog = context.getBean(RpcServiceCatalog.class);
                    assertThat(catalog.providers()).extracting(p -> p.definition().key().toString())
                            .containsExactlyInAnyOrder(Greetings.Greeter.class.getName(),
                                    Greetings.Greeter.class.getName() + ":3.1");
                    RpcServiceCatalog.Reference first = catalog.references().stream()
                            .filter(r -> r.injectedInto().endsWith(".greeter")).findFirst().orElseThrow();
                    assertThat(first.timeout().value()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(first.timeout().source()).isEqualTo("@RpcReference(timeout)");
                    assertThat(first.loadBalancer().value()).isEqualTo("least-active");
                    assertThat(first.retries().value()).isEqualTo(1);
                    assertThat(first.retries().source()).isEqualTo("property rpc.client.retries");
                });
    }

    @Test
    void aProviderWithNoInterfaceFailsNamingTheBeanAndTheFix() {
        runner.withBean("lonely", NoInterface.class).run(context -> {
            FailureAnalysis report = new RpcStartupFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(report.getDescription()).isEqualTo("Bean 'lonely' (" + NoInterface.class.getName() + ") is"
                    + " annotated @RpcProvider but implements no service interface.");
            assertThat(report.getAction()).isEqualTo("Implement the interface consumers call, or set"
                    + " @RpcProvider(interfaceClass = ...).");
        });
    }

    @Test
    void aProviderWithSeveralInterfacesFailsUnlessItNamesOne() {
        runner.withBean("ambiguous", TwoInterfaces.class).run(context -> {
            FailureAnalysis report = new RpcStartupFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(report.getDescription()).startsWith("Bean 'ambiguous'").contains("implements several interfaces");
            assertThat(report.getAction()).isEqualTo("Set @RpcProvider(interfaceClass = ...) to the one to publish.");
        });
        runner.withBean("chosen", ChosenInterface.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(RpcServiceCatalog.class).providers()).singleElement()
                    .satisfies(p -> assertThat(p.definition().interfaceClass()).isEqualTo(Counter.class));
        });
    }

    @Test
    void twoProvidersForOneServiceFailNamingBoth() {
        runner.withBean("first", DefaultGreeter.class).withBean("second", DefaultGreeter.class)
                .run(context -> {
                    FailureAnalysis report = new RpcStartupFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(report.getDescription()).isEqualTo("Beans 'first' and 'second' are both @RpcProvider for "
                            + Greetings.Greeter.class.getName() + ".");
                    assertThat(report.getAction()).isEqualTo("Give one of them another @RpcProvider(version) or (group),"
                            + " or remove one.");
                });
    }

    @Test
    void aReferenceToAClassFailsNamingTheFieldAndTheFix() {
        runner.withBean("bad", BadConsumer.class).run(context -> {
            assertThat(context).getFailure().hasMessageContaining("Error creating bean with name 'bad'");
            FailureAnalysis report = new RpcStartupFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(report.getDescription()).isEqualTo("Field 'BadConsumer.notAnInterface' of bean 'bad' is annotated"
                    + " @RpcReference but its type " + DefaultGreeter.class.getName() + " is not an interface.");
            assertThat(report.getAction()).isEqualTo("Declare the field with the service interface.");
        });
    }

    @Test
    void aPortInUseFailsNamingTheProperty() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            // a provider needs the port
            runner.withPropertyValues("rpc.server.port=" + taken.getLocalPort()).withBean(DefaultGreeter.class)
                    .run(context -> {
                        FailureAnalysis report = new RpcStartupFailureAnalyzer().analyze(context.getStartupFailure());
                        assertThat(report.getDescription()).startsWith("The rpc server could not listen on 127.0.0.1:"
                                + taken.getLocalPort() + " (rpc.server.host, rpc.server.port): ");
                        assertThat(report.getAction()).isEqualTo("Set rpc.server.port to a free port (0 picks one), or"
                                + " stop the process that listens on " + taken.getLocalPort() + ".");
                    });
            // an application that provides nothing does not listen, so the taken port is no matter...
            runner.withPropertyValues("rpc.server.port=" + taken.getLocalPort()).run(context ->
                    assertThat(context).hasNotFailed());
            // ...unless told to listen; then the report says it need not
            runner.withPropertyValues("rpc.server.port=" + taken.getLocalPort(), "rpc.server.enabled=true")
                    .run(context -> assertThat(new RpcStartupFailureAnalyzer().analyze(context.getStartupFailure())
                            .getAction()).endsWith("This application provides no service: rpc.server.enabled=false keeps"
                            + " it from listening at all."));
        }
    }

    /** A registry that refuses every registration, as ZooKeeper does a client without the credentials its ACLs ask for. */
    static final class RefusingRegistry implements io.rpcboot.core.registry.ServiceRegistry {
        private final InMemoryServiceRegistry delegate = new InMemoryServiceRegistry();

        @Override
        public String name() {
            return "refusing";
        }

        @Override
        public void register(io.rpcboot.core.registry.ServiceInstance instance) {
            throw new io.rpcboot.core.RpcException("the registry refused " + instance + ": NoAuth");
        }

        @Override
        public void unregister(io.rpcboot.core.registry.ServiceInstance instance) {
        }

        @Override
        public List<io.rpcboot.core.registry.ServiceInstance> instances(io.rpcboot.core.registry.ServiceKey key) {
            return delegate.instances(key);
        }

        @Override
        public io.rpcboot.core.registry.ServiceRegistry.Subscription subscribe(io.rpcboot.core.registry.ServiceKey key,
                                      java.util.function.Consumer<List<io.rpcboot.core.registry.ServiceInstance>> l) {
            return delegate.subscribe(key, l);
        }
    }

    @Test
    void aRegistryThatRefusesTheServicesFailsStartupWithAReport() {
        runner.withBean(io.rpcboot.core.registry.ServiceRegistry.class, RefusingRegistry::new)
                .withBean(DefaultGreeter.class).run(context -> {
                    FailureAnalysis report = new RpcStartupFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(report.getDescription()).startsWith("The rpc server could not publish its services:")
                            .contains("NoAuth");
                    assertThat(report.getAction()).contains("rpc.registry.address");
                });
    }

    @Test
    void invalidPropertyValuesFailNamingTheProperty() {
        runner.withPropertyValues("rpc.client.load-balancer=fastest").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.client.load-balancer with value 'fastest' is invalid")
                .hasMessageContaining("unknown load balancer 'fastest'"));
        runner.withPropertyValues("rpc.server.execution-mode=threads").run(context -> assertThat(context).getFailure()
                .hasStackTraceContaining("Failed to bind properties under 'rpc.server.execution-mode'")
                .rootCause().hasMessageContaining("threads"));
        runner.withPropertyValues("rpc.registry.instances.[com.example.Greeter]=localhost").run(context ->
                assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("Property rpc.registry.instances[com.example.Greeter] with value 'localhost' is invalid"));
        runner.withPropertyValues("rpc.registry.type=etcd").run(context -> assertThat(context).getFailure()
                .hasStackTraceContaining("Failed to bind properties under 'rpc.registry.type'")
                .rootCause().hasMessageContaining("etcd"));
        runner.withPropertyValues("rpc.buffer-pool.max-buffer-size=1000B").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.buffer-pool.max-buffer-size with value '1000' is invalid")
                .hasMessageContaining("maxBufferSize must be a power of two"));
        runner.withPropertyValues("rpc.buffer-pool.max-pooled=-1B").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("Property rpc.buffer-pool.max-pooled with value '-1' is invalid"));
    }

    @Configuration(proxyBeanMethods = false)
    static class ProviderAndConsumer {
        @Bean
        DefaultGreeter defaultGreeter() {
            return new DefaultGreeter();
        }

        @Bean
        VersionedGreeter versionedGreeter() {
            return new VersionedGreeter();
        }

        @Bean
        Consumer consumer() {
            return new Consumer();
        }
    }
}
