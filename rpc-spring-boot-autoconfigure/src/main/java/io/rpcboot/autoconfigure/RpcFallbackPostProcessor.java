package io.rpcboot.autoconfigure;

import io.rpcboot.annotation.RpcFallback;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.Ordered;
import org.springframework.core.PriorityOrdered;
import org.springframework.core.type.MethodMetadata;

/**
 * Makes every bean marked {@link RpcFallback} (its class, or its {@code @Bean} method) no candidate
 * for injection by type: it implements a service interface, and a field of that interface must get
 * the remote reference, not the fallback. It stays reachable by name, which is how references name it.
 * It runs before the ordered post-processors, Spring's test bean overrides among them, so that
 * {@code @MockitoBean} of the interface finds the reference alone.
 */
public class RpcFallbackPostProcessor implements BeanFactoryPostProcessor, PriorityOrdered {

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    private static final String ANNOTATION = RpcFallback.class.getName();

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        boolean changed = false;
        for (String name : beanFactory.getBeanDefinitionNames()) {
            BeanDefinition definition = beanFactory.getBeanDefinition(name);
            if (isFallback(definition) && definition.isAutowireCandidate()) {
                definition.setAutowireCandidate(false);
                changed = true;
            }
        }
        if (changed) {
            beanFactory.clearMetadataCache(); // merged definitions cached earlier must see the change now
        }
    }

    /** Marked on its {@code @Bean} method, on its scanned class, or on the class its definition produces. */
    static boolean isFallback(BeanDefinition definition) {
        if (definition instanceof AnnotatedBeanDefinition annotated) {
            MethodMetadata factoryMethod = annotated.getFactoryMethodMetadata();
            if (factoryMethod != null ? factoryMethod.isAnnotated(ANNOTATION) : annotated.getMetadata().isAnnotated(ANNOTATION)) {
                return true;
            }
        }
        Class<?> type = definition.getResolvableType().resolve();
        return type != null && type.isAnnotationPresent(RpcFallback.class);
    }
}
