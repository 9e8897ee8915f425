package io.rpcboot.autoconfigure;

import java.util.Optional;

import io.rpcboot.autoconfigure.Greetings.Consumer;
import io.rpcboot.autoconfigure.Greetings.DefaultGreeter;
import io.rpcboot.autoconfigure.Greetings.Greeter;
import io.rpcboot.autoconfigure.refs.Ledger;
import org.junit.jupiter.api.Test;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hints AOT processing records for what an application declares. The JVM's AOT mode does not
 * enforce hints, so they are asserted here, with Spring's own predicates.
 */
class RpcRuntimeHintsTests {

    /** A record reachable only through a service signature. */
    public record Receipt(String id, Optional<Long> cents) {
    }

    public interface Till {
        Receipt ring(String item);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportRpcServices(types = Ledger.class)
    static class App {
    }

    private RuntimeHints hintsFor(Class<?>... components) {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            context.register(components);
            RuntimeHints refreshHints = new RuntimeHints();
            context.refreshForAotProcessing(refreshHints);
            BeanFactoryInitializationAotContribution contribution = new RpcRuntimeHints()
                    .processAheadOfTime(context.getBeanFactory());
            DefaultGenerationContext generation = new DefaultGenerationContext(
                    new ClassNameGenerator(ClassName.get("com.example", "Test")), new InMemoryGeneratedFiles());
            if (contribution != null) {
                contribution.applyTo(generation, null);
            }
            return generation.getRuntimeHints();
        }
    }

    @Test
    void referencesGetProxiesAndFieldAccessProvidersTheirMethodsAndSignatureTypesTheirMembers() throws Exception {
        RuntimeHints hints = hintsFor(App.class, Consumer.class, DefaultGreeter.class);
        // proxies for each referenced interface: a field's and an imported bean's
        assertThat(RuntimeHintsPredicates.proxies().forInterfaces(Greeter.class)).accepts(hints);
        assertThat(RuntimeHintsPredicates.proxies().forInterfaces(Ledger.class)).accepts(hints);
        // the @RpcReference fields are set reflectively
        assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(Consumer.class.getDeclaredField("greeter"))).accepts(hints);
        // every provided (and referenced) method is invoked through a method handle
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Greeter.class.getMethod("greet", String.class)))
                .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Ledger.class.getMethod("read", String.class)))
                .accepts(hints);
        // the provider's class is registered: the server looks up @RpcExecution on its methods
        assertThat(RuntimeHintsPredicates.reflection().onType(DefaultGreeter.class)).accepts(hints);
    }

    @Test
    void typesReachableFromSignaturesGetConstructorsMethodsAndFields() throws Exception {
        RuntimeHints hints = new RuntimeHints();
        RpcRuntimeHints.register(hints, java.util.Set.of(Till.class), java.util.Set.of(), java.util.Set.of());
        assertThat(RuntimeHintsPredicates.proxies().forInterfaces(Till.class)).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onConstructorInvocation(
                Receipt.class.getDeclaredConstructor(String.class, Optional.class))).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Receipt.class.getMethod("id"))).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(Receipt.class.getDeclaredField("cents"))).accepts(hints);
    }

    @Test
    void anApplicationWithoutRpcDeclarationsContributesNothing() {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            context.register(Object.class);
            context.refreshForAotProcessing(new RuntimeHints());
            assertThat(new RpcRuntimeHints().processAheadOfTime(context.getBeanFactory())).isNull();
        }
    }
}
