package io.rpcboot.autoconfigure;

import java.util.List;
import java.util.Map;

import io.rpcboot.core.client.RpcClient;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanNameAware;
import org.springframework.beans.factory.SmartFactoryBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Makes the proxy of one reference bean declared by {@link ImportRpcServices}, through the
 * application's {@link RpcReferenceFactory}, at start-up; the client outlives the bean.
 *
 * @param <T> the service interface
 */
public class RpcReferenceFactoryBean<T> implements SmartFactoryBean<T>, BeanFactoryAware, BeanNameAware {

    private final Class<T> type;
    private final RpcReferenceFactory.Declaration declaration;
    private @Nullable BeanFactory beanFactory;
    private String beanName = "";
    private @Nullable T proxy;

    /**
     * @param type       the service interface
     * @param attributes the {@link ImportRpcServices} attributes by name (strings, {@code retries} an
     *                   Integer, {@code idempotent} a Boolean, {@code metadata} a list of strings), the
     *                   bean name under {@code injectedInto}: plain values, so that AOT processing can
     *                   write the bean definition as code
     */
    public RpcReferenceFactoryBean(Class<T> type, Map<String, Object> attributes) {
        this.type = type;
        this.declaration = new RpcReferenceFactory.Declaration(type, "@ImportRpcServices",
                text(attributes, "injectedInto"), text(attributes, "version"), text(attributes, "group"),
                text(attributes, "timeout"), (Integer) attributes.getOrDefault("retries", -1),
                (Boolean) attributes.getOrDefault("idempotent", false), text(attributes, "loadBalancer"),
                text(attributes, "url"), metadata(attributes.get("metadata")), text(attributes, "sslBundle"), "");
    }

    private static String text(Map<String, Object> attributes, String name) {
        Object v = attributes.get(name);
        return v == null ? "" : v.toString();
    }

    private static List<String> metadata(@Nullable Object v) {
        if (v instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void setBeanName(String name) {
        this.beanName = name;
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized T getObject() {
        if (proxy != null) { // Spring may ask again (a by-type lookup of a SmartFactoryBean): same proxy, recorded once
            return proxy;
        }
        BeanFactory factory = java.util.Objects.requireNonNull(beanFactory, "beanFactory");
        T made;
        try {
            made = (T) factory.getBean(RpcReferenceFactory.class).proxy(declaration);
        } catch (IllegalArgumentException e) {
            throw new RpcStartupException("Reference bean '" + beanName + "': " + e.getMessage(), RpcReferenceFactory.ACTION, e);
        }
        if (factory instanceof ConfigurableListableBeanFactory configurable) {
            for (String client : configurable.getBeanNamesForType(RpcClient.class, false, false)) {
                configurable.registerDependentBean(client, beanName);
            }
        }
        proxy = made;
        return made;
    }

    /** Made at start-up, like a field's reference: a misconfigured one fails start-up, and every one shows in Actuator. */
    @Override
    public boolean isEagerInit() {
        return true;
    }

    @Override
    public Class<?> getObjectType() {
        return type;
    }
}
