package io.rpcboot.autoconfigure;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;

import io.rpcboot.annotation.RpcReference;
import org.springframework.beans.PropertyValues;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.InstantiationAwareBeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.PriorityOrdered;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Injects client proxies into {@code @RpcReference} fields while the bean's properties are set,
 * before any init method runs (like {@code @Autowired}). Attributes support {@code ${...}}
 * placeholders; one left at its default takes the {@code rpc.client.*} property.
 */
public class RpcReferenceAnnotationBeanPostProcessor implements InstantiationAwareBeanPostProcessor, PriorityOrdered,
        BeanFactoryAware {

    private final ObjectProvider<RpcReferenceFactory> factory;
    private @Nullable ConfigurableListableBeanFactory beanFactory;

    public RpcReferenceAnnotationBeanPostProcessor(ObjectProvider<RpcReferenceFactory> factory) {
        this.factory = factory;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        if (beanFactory instanceof ConfigurableListableBeanFactory configurable) {
            this.beanFactory = configurable;
        }
    }

    @Override
    public PropertyValues postProcessProperties(PropertyValues pvs, Object bean, String beanName) {
        Class<?> type = ClassUtils.getUserClass(bean);
        ReflectionUtils.doWithFields(type, field -> inject(bean, beanName, field),
                field -> field.isAnnotationPresent(RpcReference.class));
        return pvs;
    }

    private void inject(Object bean, String beanName, Field field) {
        RpcReference annotation = field.getAnnotation(RpcReference.class);
        Class<?> type = field.getType();
        if (!type.isInterface()) {
            throw new RpcStartupException("Field '" + RpcServiceCatalog.describe(field) + "' of bean '" + beanName
                    + "' is annotated @RpcReference but its type " + type.getName() + " is not an interface.",
                    "Declare the field with the service interface.");
        }
        if (Modifier.isStatic(field.getModifiers())) {
            throw new RpcStartupException("Field '" + RpcServiceCatalog.describe(field) + "' of bean '" + beanName
                    + "' is static; @RpcReference fields must be instance fields.",
                    "Remove 'static', or import the interface as a bean with @ImportRpcServices and inject that.");
        }
        Object proxy;
        try {
            proxy = factory.getObject().proxy(new RpcReferenceFactory.Declaration(type, "@RpcReference",
                    beanName + "." + field.getName(), annotation.version(), annotation.group(), annotation.timeout(),
                    annotation.retries(), annotation.idempotent(), annotation.loadBalancer(), annotation.url(),
                    List.of(annotation.metadata()), annotation.sslBundle(), annotation.fallback()));
        } catch (IllegalArgumentException e) {
            throw new RpcStartupException("@RpcReference field '" + RpcServiceCatalog.describe(field) + "' of bean '"
                    + beanName + "': " + e.getMessage(), RpcReferenceFactory.ACTION, e);
        }
        ReflectionUtils.makeAccessible(field);
        ReflectionUtils.setField(field, bean, proxy);
        if (beanFactory != null) { // the client outlives the beans that call through it, @PreDestroy included
            for (String client : beanFactory.getBeanNamesForType(io.rpcboot.core.client.RpcClient.class, false, false)) {
                beanFactory.registerDependentBean(client, beanName);
            }
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 10;
    }
}
