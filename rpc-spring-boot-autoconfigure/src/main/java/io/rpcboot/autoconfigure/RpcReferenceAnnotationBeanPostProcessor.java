package io.rpcboot.autoconfigure;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;

import io.rpcboot.annotation.RpcReference;
import io.rpcboot.core.client.ReferenceConfig;
import org.springframework.beans.PropertyValues;
import org.springframework.beans.factory.BeanCreationException;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.InstantiationAwareBeanPostProcessor;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.Ordered;
import org.springframework.core.PriorityOrdered;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Injects client proxies into {@code @RpcReference} fields while the bean's properties are set,
 * before any init method runs (like {@code @Autowired}). Attributes support {@code ${...}}
 * placeholders; one left at its default takes the {@code rpc.client.*} property.
 */
public class RpcReferenceAnnotationBeanPostProcessor implements InstantiationAwareBeanPostProcessor, PriorityOrdered,
        BeanFactoryAware {

    private final ObjectProvider<RpcServiceCatalog> catalog;
    private final ObjectProvider<RpcProperties> properties;
    private final Environment environment;
    private final ObjectProvider<RpcTlsConfigurations> tls;
    private @Nullable ConfigurableListableBeanFactory beanFactory;

    public RpcReferenceAnnotationBeanPostProcessor(ObjectProvider<RpcServiceCatalog> catalog,
                                                   ObjectProvider<RpcProperties> properties, Environment environment,
                                                   ObjectProvider<RpcTlsConfigurations> tls) {
        this.tls = tls;
        this.catalog = catalog;
        this.properties = properties;
        this.environment = environment;
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
            throw new BeanCreationException(beanName, "field '" + RpcServiceCatalog.describe(field) + "' is annotated"
                    + " @RpcReference but its type " + type.getName() + " is not an interface; declare the field"
                    + " with the service interface");
        }
        if (Modifier.isStatic(field.getModifiers())) {
            throw new BeanCreationException(beanName, "field '" + RpcServiceCatalog.describe(field) + "' is static;"
                    + " @RpcReference fields must be instance fields");
        }
        RpcProperties.Client defaults = properties.getObject().getClient();
        ReferenceConfig.Builder<?> b = ReferenceConfig.builder(type)
                .version(resolve(annotation.version())).group(resolve(annotation.group()))
                .idempotent(annotation.idempotent()).urls(RpcServiceCatalog.splitUrls(resolve(annotation.url())));
        String sslBundle = resolve(annotation.sslBundle());
        if (!sslBundle.isEmpty()) {
            b.tls(tls.getObject().reference(sslBundle, defaults.getSsl(), "@RpcReference(sslBundle) of "
                    + RpcServiceCatalog.describe(field)));
        }
        for (String entry : annotation.metadata()) {
            String resolved = resolve(entry);
            int eq = resolved.indexOf('=');
            if (eq <= 0) {
                throw new BeanCreationException(beanName, "field '" + RpcServiceCatalog.describe(field) + "': @RpcReference"
                        + "(metadata = \"" + entry + "\") is not key=value");
            }
            b.metadata(resolved.substring(0, eq).strip(), resolved.substring(eq + 1).strip());
        }
        String timeoutText = resolve(annotation.timeout());
        Duration timeout = defaults.getTimeout();
        String timeoutSource = source("rpc.client.timeout");
        if (!timeoutText.isEmpty()) {
            try {
                timeout = DurationStyle.detectAndParse(timeoutText);
            } catch (IllegalArgumentException e) {
                throw new BeanCreationException(beanName, "field '" + RpcServiceCatalog.describe(field) + "': @RpcReference"
                        + "(timeout = \"" + timeoutText + "\") is not a duration; write e.g. 500ms, 2s or PT2S");
            }
            b.timeout(timeout);
            timeoutSource = "@RpcReference(timeout)";
        }
        int retries = defaults.getRetries();
        String retriesSource = source("rpc.client.retries");
        if (annotation.retries() >= 0) {
            retries = annotation.retries();
            b.retries(retries);
            retriesSource = "@RpcReference(retries)";
        }
        String balancer = defaults.getLoadBalancer();
        String balancerSource = source("rpc.client.load-balancer");
        String balancerText = resolve(annotation.loadBalancer());
        if (!balancerText.isEmpty()) {
            balancer = balancerText;
            b.loadBalancer(balancer);
            balancerSource = "@RpcReference(loadBalancer)";
        }
        ReferenceConfig<?> config;
        try {
            config = b.build();
        } catch (IllegalArgumentException e) {
            throw new BeanCreationException(beanName, "field '" + RpcServiceCatalog.describe(field) + "': "
                    + e.getMessage(), e);
        }
        Object proxy;
        try {
            proxy = catalog.getObject().proxy(config);
        } catch (IllegalArgumentException e) {
            throw new BeanCreationException(beanName, "field '" + RpcServiceCatalog.describe(field) + "': " + e.getMessage(), e);
        }
        ReflectionUtils.makeAccessible(field);
        ReflectionUtils.setField(field, bean, proxy);
        if (beanFactory != null) { // the client outlives the beans that call through it, @PreDestroy included
            for (String client : beanFactory.getBeanNamesForType(io.rpcboot.core.client.RpcClient.class, false, false)) {
                beanFactory.registerDependentBean(client, beanName);
            }
        }
        catalog.getObject().recordReference(new RpcServiceCatalog.Reference(beanName, field.getName(),
                config.key().toString(), timeout, timeoutSource, retries, retriesSource, annotation.idempotent(),
                balancer, balancerSource, config.urls()));
    }

    private String resolve(String value) {
        return environment.resolveRequiredPlaceholders(value).strip();
    }

    private String source(String property) {
        return environment.containsProperty(property) ? "property " + property : "default of " + property;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 10;
    }
}
