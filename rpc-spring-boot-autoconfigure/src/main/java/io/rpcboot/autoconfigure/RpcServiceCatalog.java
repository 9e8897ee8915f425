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

    /** A value and where it came from: an annotation attribute, a property, or a property's default. */
    public record Sourced<T>(T value, String source) {
    }

    /** One method of a reference: its effective settings and their sources. */
    public record MethodSettings(String method, Sourced<Duration> timeout, Sourced<Boolean> idempotent,
                                 Sourced<Integer> retries) {
    }

    /**
     * One reference (an {@code @RpcReference} field or a reference bean), with the effective
     * settings and their sources, per method too.
     */
    public record Reference(String injectedInto, String service, Sourced<Duration> timeout, Sourced<Integer> retries,
                            Sourced<Boolean> idempotent, Sourced<String> loadBalancer, List<String> urls,
                            List<MethodSettings> methods) {
    }

    private final ConfigurableListableBeanFactory beanFactory;
    private final Environment environment;
    private final ObjectProvider<RpcClient> client;
    private final boolean serverEnabled;
    private final RpcProperties properties;
    private final List<Provider> providers = new CopyOnWriteArrayList<>();
    private final List<Reference> references = new CopyOnWriteArrayList<>();
    private final Map<ReferenceConfig<?>, Object> proxies = new ConcurrentHashMap<>();

    public RpcServiceCatalog(ConfigurableListableBeanFactory beanFactory, Environment environment,
                             ObjectProvider<RpcClient> client, RpcProperties properties) {
        this.beanFactory = beanFactory;
        this.environment = environment;
        this.client = client;
        this.properties = properties;
        this.serverEnabled = !Boolean.FALSE.equals(properties.getServer().getEnabled());
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
                throw new RpcStartupException("@RpcProvider bean '" + name + "' cannot be published: " + e.getMessage(),
                        "Change the bean or its service interface as the message says.", e);
            }
            String other = owners.putIfAbsent(definition.key(), name);
            if (other != null) {
                throw new RpcStartupException("Beans '" + other + "' and '" + name + "' are both @RpcProvider for "
                        + definition.key() + ".", "Give one of them another @RpcProvider(version) or (group), or remove one.");
            }
            providers.add(new Provider(name, definition));
        }
        if (!serverEnabled && !providers.isEmpty()) {
            log.warn("rpc.server.enabled=false: {} @RpcProvider beans are not served ({})", providers.size(),
                    providers.stream().map(Provider::beanName).collect(Collectors.joining(", ")));
        }
        warnAboutUnknownInterfaces("rpc.registry.instances", properties.getRegistry().getInstances().keySet());
        warnAboutUnknownInterfaces("rpc.client.services", properties.getClient().getServices().keySet());
    }

    /**
     * Keys of {@code property} name service interfaces; one that names no interface this application
     * references is most likely misspelt, and would otherwise be ignored without a word.
     */
    private void warnAboutUnknownInterfaces(String property, Set<String> keys) {
        Set<String> referenced = references.stream().map(r -> r.service().split("[:@]", 2)[0])
                .collect(Collectors.toSet());
        for (String key : keys) {
            if (referenced.contains(key)) {
                continue;
            }
            boolean loadable = ClassUtils.isPresent(key, beanFactory.getBeanClassLoader());
            log.warn("{}[{}] names {}; it has no effect. The key is a service interface's fully qualified name{}",
                    property, key, loadable ? "an interface this application does not reference"
                            : "no class on the class path", referenced.isEmpty() ? ""
                            : ", e.g. one of " + new java.util.TreeSet<>(referenced));
        }
    }

    private static Class<?> serviceInterface(String beanName, Class<?> type, RpcProvider annotation) {
        Class<?> declared = annotation.interfaceClass();
        if (declared != void.class) {
            if (!declared.isInterface()) {
                throw new RpcStartupException("Bean '" + beanName + "': @RpcProvider(interfaceClass = "
                        + declared.getName() + ") is not an interface.", "Name the service interface the bean implements.");
            }
            if (!declared.isAssignableFrom(type)) {
                throw new RpcStartupException("Bean '" + beanName + "' (" + type.getName() + ") does not implement "
                        + declared.getName() + " named by @RpcProvider(interfaceClass).",
                        "Implement " + declared.getSimpleName() + " in the bean's class, or name an interface it implements.");
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
            throw new RpcStartupException("Bean '" + beanName + "' (" + type.getName() + ") is annotated"
                    + " @RpcProvider but implements no service interface.",
                    "Implement the interface consumers call, or set @RpcProvider(interfaceClass = ...).");
        }
        throw new RpcStartupException("Bean '" + beanName + "' (" + type.getName() + ") is annotated @RpcProvider"
                + " and implements several interfaces " + candidates.stream().map(Class::getName).toList() + ".",
                "Set @RpcProvider(interfaceClass = ...) to the one to publish.");
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
