package io.rpcboot.autoconfigure;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import io.rpcboot.annotation.RpcProvider;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.server.ServiceDefinition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * What this application provides and references: the {@code @RpcProvider} beans (collected once
 * every singleton exists, so the published object is the final bean, proxies included) and the
 * {@code @RpcReference} fields with their effective settings and where each came from. The server's
 * lifecycle publishes the providers; the Actuator endpoint reports both.
 */
public class RpcServiceCatalog implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(RpcServiceCatalog.class);

    /** One published bean. */
    public record Provider(String beanName, ServiceDefinition definition) {
    }

    /** One injected field, with the effective settings and their sources. */
    public record Reference(String bean, String field, String service, Duration timeout, String timeoutSource,
                            int retries, String retriesSource, boolean idempotent, String loadBalancer,
                            String loadBalancerSource, List<String> urls) {
    }

    private final ConfigurableListableBeanFactory beanFactory;
    private final Environment environment;
    private final ObjectProvider<RpcClient> client;
    private final boolean serverEnabled;
    private final List<Provider> providers = new CopyOnWriteArrayList<>();
    private final List<Reference> references = new CopyOnWriteArrayList<>();
    private final Map<ReferenceConfig<?>, Object> proxies = new ConcurrentHashMap<>();

    public RpcServiceCatalog(ConfigurableListableBeanFactory beanFactory, Environment environment,
                             ObjectProvider<RpcClient> client, boolean serverEnabled) {
        this.beanFactory = beanFactory;
        this.environment = environment;
        this.client = client;
        this.serverEnabled = serverEnabled;
    }

    /** Collects and checks every {@code @RpcProvider} bean. */
    @Override
    public void afterSingletonsInstantiated() {
        Map<ServiceKey, String> owners = new LinkedHashMap<>();
        for (String name : beanFactory.getBeanNamesForAnnotation(RpcProvider.class)) {
            RpcProvider annotation = Objects.requireNonNull(beanFactory.findAnnotationOnBean(name, RpcProvider.class));
            Class<?> type = ClassUtils.getUserClass(Objects.requireNonNull(beanFactory.getType(name)));
            Class<?> serviceInterface = serviceInterface(name, type, annotation);
            String version = environment.resolvePlaceholders(annotation.version());
            String group = environment.resolvePlaceholders(annotation.group());
            ServiceDefinition definition;
            try {
                definition = new ServiceDefinition(serviceInterface, beanFactory.getBean(name), version, group,
                        annotation.weight());
            } catch (IllegalArgumentException e) {
                throw new BeanInitializationException("bean '" + name + "': " + e.getMessage());
            }
            String other = owners.putIfAbsent(definition.key(), name);
            if (other != null) {
                throw new BeanInitializationException("beans '" + other + "' and '" + name + "' are both @RpcProvider for "
                        + definition.key() + "; give one of them another version or group, or remove one");
            }
            providers.add(new Provider(name, definition));
        }
        if (!serverEnabled && !providers.isEmpty()) {
            log.warn("rpc.server.enabled=false: {} @RpcProvider beans are not served ({})", providers.size(),
                    providers.stream().map(Provider::beanName).collect(Collectors.joining(", ")));
        }
    }

    private static Class<?> serviceInterface(String beanName, Class<?> type, RpcProvider annotation) {
        Class<?> declared = annotation.interfaceClass();
        if (declared != void.class) {
            if (!declared.isInterface()) {
                throw new BeanInitializationException("bean '" + beanName + "': @RpcProvider(interfaceClass = "
                        + declared.getName() + ") is not an interface; name the service interface");
            }
            if (!declared.isAssignableFrom(type)) {
                throw new BeanInitializationException("bean '" + beanName + "' (" + type.getName() + ") does not implement "
                        + declared.getName() + " named by @RpcProvider(interfaceClass)");
            }
            return declared;
        }
        Set<Class<?>> candidates = ClassUtils.getAllInterfacesForClassAsSet(type).stream()
                .filter(i -> !i.getName().startsWith("java.") && !i.getName().startsWith("org.springframework."))
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        if (candidates.size() == 1) {
            return candidates.iterator().next();
        }
        if (candidates.isEmpty()) {
            throw new BeanInitializationException("bean '" + beanName + "' (" + type.getName() + ") is annotated"
                    + " @RpcProvider but implements no service interface; implement the interface consumers call, or"
                    + " set @RpcProvider(interfaceClass = ...)");
        }
        throw new BeanInitializationException("bean '" + beanName + "' (" + type.getName() + ") is annotated @RpcProvider"
                + " and implements several interfaces " + candidates.stream().map(Class::getName).toList()
                + "; set @RpcProvider(interfaceClass = ...) to the one to publish");
    }

    /** The proxy for a reference, shared by every field with the same settings. */
    Object proxy(ReferenceConfig<?> config) {
        return proxies.computeIfAbsent(config, c -> client.getObject().create(c));
    }

    void recordReference(Reference reference) {
        references.add(reference);
    }

    public List<Provider> providers() {
        return List.copyOf(providers);
    }

    public List<Reference> references() {
        return List.copyOf(references);
    }

    static String describe(Field field) {
        return field.getDeclaringClass().getSimpleName() + "." + field.getName();
    }

    static List<String> splitUrls(@Nullable String url) {
        if (url == null || url.isBlank()) {
            return List.of();
        }
        return Arrays.stream(url.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
