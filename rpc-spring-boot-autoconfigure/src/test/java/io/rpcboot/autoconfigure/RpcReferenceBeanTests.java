package io.rpcboot.autoconfigure;

import java.time.Duration;

import io.rpcboot.autoconfigure.Greetings.DefaultGreeter;
import io.rpcboot.autoconfigure.Greetings.Greeter;
import io.rpcboot.autoconfigure.Greetings.VersionedGreeter;
import io.rpcboot.autoconfigure.actuate.RpcEndpoint;
import io.rpcboot.autoconfigure.actuate.RpcEndpoint.MethodReport;
import io.rpcboot.autoconfigure.actuate.RpcEndpoint.ReferenceReport;
import io.rpcboot.autoconfigure.actuate.RpcEndpointAutoConfiguration;
import io.rpcboot.autoconfigure.refs.Ledger;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServiceDefinition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Component;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Service interfaces as beans ({@link ImportRpcServices}): constructor injection, qualifiers for
 * two versions of one interface, package scanning, per-method settings with their sources.
 */
@ExtendWith(OutputCaptureExtension.class)
class RpcReferenceBeanTests {

    /** The providers, in their own process as far as the consumer contexts can tell: they reach it by url. */
    private static RpcServer provider;

    @BeforeAll
    static void startProvider() {
        provider = RpcServer.builder().bind("127.0.0.1", 0).service(ServiceDefinition.of(Greeter.class, new DefaultGreeter()))
                .service(new ServiceDefinition(Greeter.class, new VersionedGreeter(), "2.0", "", 100))
                .service(ServiceDefinition.of(Ledger.class, new Books())).build().start();
    }

    @AfterAll
    static void stopProvider() {
        provider.stop();
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RpcAutoConfiguration.class, RpcClientAutoConfiguration.class,
                    RpcServerAutoConfiguration.class, RpcEndpointAutoConfiguration.class))
            .withPropertyValues("rpc.client.io-threads=1", "management.endpoints.web.exposure.include=rpc")
            .withInitializer(context -> TestPropertyValues.of("provider.url=127.0.0.1:" + provider.port())
                    .applyTo(context));

    @Configuration(proxyBeanMethods = false)
    @ImportRpcServices(types = Greeter.class, timeout = "2s", url = "${provider.url}")
    static class GreeterClients {
    }

    /** A consumer as Spring users write one: constructor injection into a final field. */
    @Component
    static class GreetingConsumer {
        private final Greeter greeter;

        GreetingConsumer(Greeter greeter) {
            this.greeter = greeter;
        }

        String greet(String name) {
            return greeter.greet(name);
        }
    }

    @Test
    void anImportedInterfaceIsABeanForConstructorInjection() {
        runner.withUserConfiguration(GreeterClients.class, GreetingConsumer.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(GreetingConsumer.class).greet("Ada")).isEqualTo("Hello, Ada!");
            assertThat(context.getBeanNamesForType(Greeter.class))
                    .contains(Greeter.class.getName()); // the reference bean, named by its service key
            ReferenceReport report = context.getBean(RpcEndpoint.class).rpc().references().get(0);
            assertThat(report.injectedInto()).isEqualTo(Greeter.class.getName());
            assertThat(report.timeout().value()).isEqualTo(Duration.ofSeconds(2));
            assertThat(report.timeout().source()).isEqualTo("@ImportRpcServices(timeout)");
        });
    }

    @Configuration(proxyBeanMethods = false)
    @ImportRpcServices(types = Greeter.class, url = "${provider.url}")
    @ImportRpcServices(types = Greeter.class, version = "2.0", url = "${provider.url}")
    static class TwoVersions {
    }

    @Component
    static class BothVersions {
        final Greeter current;
        final Greeter next;

        BothVersions(@Qualifier("io.rpcboot.autoconfigure.Greetings$Greeter") Greeter current,
                     @Qualifier("io.rpcboot.autoconfigure.Greetings$Greeter:2.0") Greeter next) {
            this.current = current;
            this.next = next;
        }
    }

    @Test
    void twoVersionsOfOneInterfaceAreTwoBeansTellApartByQualifier() {
        runner.withUserConfiguration(TwoVersions.class, BothVersions.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    BothVersions both = context.getBean(BothVersions.class);
                    assertThat(both.current.greet("x")).isEqualTo("Hello, x!");
                    assertThat(both.next.greet("x")).isEqualTo("v2 x");
                });
    }

    static class Books implements Ledger {
        @Override
        public String read(String key) {
            return "r:" + key;
        }

        @Override
        public String write(String key) {
            return "w:" + key;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportRpcServices(basePackages = "io.rpcboot.autoconfigure.refs", url = "${provider.url}")
    static class ScannedClients {
    }

    @Test
    void basePackagesRegisterEveryInterfaceThereWithPerMethodSettingsAndTheirSources() {
        String service = "rpc.client.services.[" + Ledger.class.getName() + "]";
        runner.withUserConfiguration(ScannedClients.class)
                .withPropertyValues(service + ".timeout=4s", service + ".methods.[write].timeout=750ms",
                        service + ".methods.[read].retries=3")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Ledger ledger = context.getBean(Ledger.class);
                    assertThat(ledger.read("k")).isEqualTo("r:k");
                    ReferenceReport report = context.getBean(RpcEndpoint.class).rpc().references().stream()
                            .filter(r -> r.service().equals(Ledger.class.getName())).findFirst().orElseThrow();
                    assertThat(report.timeout().source()).isEqualTo("property rpc.client.services["
                            + Ledger.class.getName() + "].timeout");
                    MethodReport read = report.methods().get(0);
                    MethodReport write = report.methods().get(1);
                    assertThat(read.method()).isEqualTo("read");
                    assertThat(read.timeout().value()).isEqualTo(Duration.ofMillis(300));
                    assertThat(read.timeout().source()).isEqualTo("@RpcMethodOptions(timeout) on Ledger.read");
                    assertThat(read.idempotent().value()).isTrue();
                    assertThat(read.retries().value()).isEqualTo(3);
                    assertThat(read.retries().source()).isEqualTo("property rpc.client.services["
                            + Ledger.class.getName() + "].methods[read].retries");
                    assertThat(write.timeout().value()).isEqualTo(Duration.ofMillis(750));
                    assertThat(write.idempotent().value()).isFalse();
                    assertThat(write.retries().value()).isZero();
                    assertThat(write.retries().source()).startsWith("not idempotent");
                });
    }

    @Test
    void aMethodPropertyNamingNoMethodFailsStartupNamingTheProperty() {
        runner.withUserConfiguration(ScannedClients.class)
                .withPropertyValues("rpc.client.services.[" + Ledger.class.getName() + "].methods.[delete].timeout=1s")
                .run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = new RpcStartupFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription())
                            .contains("Reference bean '" + Ledger.class.getName() + "'")
                            .contains("property rpc.client.services[" + Ledger.class.getName() + "].methods")
                            .contains("method settings for 'delete'").contains("[read, write]");
                    assertThat(analysis.getAction()).contains("rpc.client property");
                });
    }

    @Configuration(proxyBeanMethods = false)
    @ImportRpcServices(types = DefaultGreeter.class)
    static class ImportsAClass {
    }

    @Test
    void importingAClassFailsStartupWithAReport() {
        runner.withUserConfiguration(ImportsAClass.class).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new RpcStartupFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("names " + DefaultGreeter.class.getName()
                    + ", which is not an interface");
            assertThat(analysis.getAction()).isEqualTo("Name the service interfaces, not their implementations.");
        });
    }

    @Test
    void fieldsAndBeansWithTheSameSettingsShareOneProxy() {
        runner.withUserConfiguration(ScannedClients.class).withBean(FieldConsumer.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(FieldConsumer.class).ledger).isSameAs(context.getBean(Ledger.class));
            assertThat(context.getBean(RpcEndpoint.class).rpc().references()).extracting(ReferenceReport::injectedInto)
                    .containsExactlyInAnyOrder(Ledger.class.getName(), "rpcReferenceBeanTests.FieldConsumer.ledger");
        });
    }

    static class FieldConsumer {
        @io.rpcboot.annotation.RpcReference(url = "${provider.url}")
        Ledger ledger;
    }

    @Test
    void aServiceKeyThatNamesNoReferencedInterfaceIsWarnedAbout(CapturedOutput output) {
        runner.withUserConfiguration(ScannedClients.class)
                .withPropertyValues("rpc.registry.instances.[io.rpcboot.autoconfigure.refs.Ledgr]=127.0.0.1:7070",
                        "rpc.client.services.[" + Greeter.class.getName() + "].timeout=1s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(output).contains("rpc.registry.instances[io.rpcboot.autoconfigure.refs.Ledgr] names no"
                            + " class on the class path; it has no effect. The key is a service interface's fully"
                            + " qualified name, e.g. one of [" + Ledger.class.getName() + "]");
                    assertThat(output).contains("rpc.client.services[" + Greeter.class.getName() + "] names an"
                            + " interface this application does not reference; it has no effect.");
                });
    }
}
