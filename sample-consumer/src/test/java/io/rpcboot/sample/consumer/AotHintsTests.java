package io.rpcboot.sample.consumer;

import java.lang.reflect.Method;
import java.util.List;

import io.rpcboot.autoconfigure.RpcRuntimeHints;
import io.rpcboot.sample.api.GreetingService;
import io.rpcboot.sample.api.Order;
import io.rpcboot.sample.api.OrderLine;
import io.rpcboot.sample.api.OrderNotFoundException;
import io.rpcboot.sample.api.OrderService;
import io.rpcboot.sample.api.OrderStatus;
import io.rpcboot.sample.provider.FriendlyGreetingService;
import io.rpcboot.sample.provider.InMemoryOrderService;
import org.junit.jupiter.api.Test;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hints AOT processing of the samples records (what a native image of them needs): a proxy for
 * each referenced interface, every provider method, and every codec type. The JVM's AOT mode, which
 * CI runs (./demo.sh --aot), does not enforce hints, so they are asserted here.
 */
class AotHintsTests {

    private static RuntimeHints hintsFor(Class<?>... components) {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            context.register(components);
            context.refreshForAotProcessing(new RuntimeHints());
            DefaultGenerationContext generation = new DefaultGenerationContext(
                    new ClassNameGenerator(ClassName.get("io.rpcboot.sample", "Aot")), new InMemoryGeneratedFiles());
            new RpcRuntimeHints().processAheadOfTime(context.getBeanFactory()).applyTo(generation, null);
            return generation.getRuntimeHints();
        }
    }

    @Test
    void theConsumersReferencesHaveProxiesAndTheirFieldsAccess() throws Exception {
        RuntimeHints hints = hintsFor(ShopController.class);
        for (Class<?> referenced : List.of(GreetingService.class, OrderService.class)) {
            assertThat(RuntimeHintsPredicates.proxies().forInterfaces(referenced)).as("proxy of %s", referenced)
                    .accepts(hints);
        }
        assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(ShopController.class.getDeclaredField("orders")))
                .accepts(hints);
    }

    @Test
    void everyProviderMethodAndCodecTypeHasItsHints() throws Exception {
        RuntimeHints hints = hintsFor(FriendlyGreetingService.class, InMemoryOrderService.class);
        for (Class<?> service : List.of(GreetingService.class, OrderService.class)) {
            for (Method m : service.getMethods()) {
                assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(m)).as("invocation of %s", m)
                        .accepts(hints);
            }
        }
        for (Class<?> type : List.of(Order.class, OrderLine.class, OrderStatus.class, OrderNotFoundException.class)) {
            assertThat(RuntimeHintsPredicates.reflection().onType(type)).as("reflection on %s", type).accepts(hints);
        }
        assertThat(RuntimeHintsPredicates.reflection().onConstructorInvocation(
                OrderNotFoundException.class.getConstructor(String.class))).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(OrderNotFoundException.class.getDeclaredField("orderId")))
                .accepts(hints);
    }
}
