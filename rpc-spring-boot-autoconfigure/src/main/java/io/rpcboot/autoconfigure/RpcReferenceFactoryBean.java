package io.rpcboot.autoconfigure;

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

    private final RpcReferenceFactory.Declaration declaration;
    private @Nullable BeanFactory beanFactory;
    private String beanName = "";
    private @Nullable T proxy;

    public RpcReferenceFactoryBean(RpcReferenceFactory.Declaration declaration) {
        this.declaration = declaration;
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
        return declaration.type();
    }
}
