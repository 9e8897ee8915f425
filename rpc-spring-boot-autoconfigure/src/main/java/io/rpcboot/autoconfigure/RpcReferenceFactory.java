package io.rpcboot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.rpcboot.core.client.MethodConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.client.RpcClient.MethodInfo;
import io.rpcboot.core.client.RpcClient.SettingSource;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.Environment;

/**
 * Turns a reference as code declares it (an {@code @RpcReference} field, or an interface imported
 * as a bean with {@link ImportRpcServices}) into its client proxy: the attributes (with
 * {@code ${...}} placeholders resolved), the {@code rpc.client.services.*} properties over them, the
 * client's defaults under them, each effective value recorded with where it came from. Fields and
 * beans with the same settings share one proxy.
 */
public class RpcReferenceFactory {

    /**
     * A reference as code declares it. String attributes may hold placeholders; empty strings and
     * {@code retries < 0} mean "not set".
     *
     * @param type         the service interface
     * @param origin       the annotation the attributes come from, for messages and sources, e.g. {@code @RpcReference}
     * @param injectedInto where the proxy goes, e.g. {@code orderController.orders}, or the bean's name
     */
    public record Declaration(Class<?> type, String origin, String injectedInto, String version, String group,
                              String timeout, int retries, boolean idempotent, String loadBalancer, String url,
                              List<String> metadata, String sslBundle, String fallback) {

        public Declaration {
            metadata = List.copyOf(metadata);
        }
    }

    /** The action of a reference that cannot be made: the message names the attribute or property. */
    static final String ACTION = "Correct the annotation attribute or rpc.client property the message names.";

    private final RpcServiceCatalog catalog;
    private final RpcProperties properties;
    private final Environment environment;
    private final ObjectProvider<RpcTlsConfigurations> tls;
    private final ObjectProvider<RpcClient> client;
    private final ObjectProvider<RpcCircuitBreakerFactory> breakers;
    private final @Nullable ConfigurableListableBeanFactory beans;

    public RpcReferenceFactory(RpcServiceCatalog catalog, RpcProperties properties, Environment environment,
                               ObjectProvider<RpcTlsConfigurations> tls, ObjectProvider<RpcClient> client,
                               ObjectProvider<RpcCircuitBreakerFactory> breakers,
                               @Nullable ConfigurableListableBeanFactory beans) {
        this.catalog = catalog;
        this.properties = properties;
        this.environment = environment;
        this.tls = tls;
        this.client = client;
        this.breakers = breakers;
        this.beans = beans;
    }

    /**
     * The proxy for {@code d}.
     *
     * @throws IllegalArgumentException naming the attribute or property at fault
     */
    public Object proxy(Declaration d) {
        Class<?> type = d.type();
        if (!type.isInterface()) {
            throw new IllegalArgumentException(d.origin() + " names " + type.getName() + ", which is not an interface;"
                    + " references are made to service interfaces");
        }
        RpcProperties.Client defaults = properties.getClient();
        String servicePrefix = "rpc.client.services[" + type.getName() + "]";
        RpcProperties.ServiceSettings service = defaults.getServices().get(type.getName());
        ReferenceConfig.Builder<?> b = ReferenceConfig.builder(type)
                .version(resolve(d.version())).group(resolve(d.group()))
                .urls(RpcServiceCatalog.splitUrls(resolve(d.url())));
        String sslBundle = resolve(d.sslBundle());
        if (!sslBundle.isEmpty()) {
            b.tls(tls.getObject().reference(sslBundle, defaults.getSsl(), d.origin() + "(sslBundle) of " + d.injectedInto()));
        }
        for (String entry : d.metadata()) {
            String resolved = resolve(entry);
            int eq = resolved.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(d.origin() + "(metadata = \"" + entry + "\") is not key=value");
            }
            b.metadata(resolved.substring(0, eq).strip(), resolved.substring(eq + 1).strip());
        }

        Duration timeout = defaults.getTimeout();
        String timeoutSource = source("rpc.client.timeout");
        String timeoutText = resolve(d.timeout());
        if (!timeoutText.isEmpty()) {
            try {
                timeout = DurationStyle.detectAndParse(timeoutText);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(d.origin() + "(timeout = \"" + timeoutText + "\") is not a duration;"
                        + " write e.g. 500ms, 2s or PT2S");
            }
            b.timeout(timeout);
            timeoutSource = d.origin() + "(timeout)";
        }
        int retries = defaults.getRetries();
        String retriesSource = source("rpc.client.retries");
        if (d.retries() >= 0) {
            retries = d.retries();
            b.retries(retries);
            retriesSource = d.origin() + "(retries)";
        }
        boolean idempotent = d.idempotent();
        String idempotentSource = idempotent ? d.origin() + "(idempotent)" : "default of " + d.origin() + "(idempotent)";
        if (service != null) {
            if (service.getTimeout() != null) {
                timeout = service.getTimeout();
                b.timeout(timeout);
                timeoutSource = "property " + servicePrefix + ".timeout";
            }
            if (service.getRetries() != null) {
                retries = service.getRetries();
                b.retries(retries);
                retriesSource = "property " + servicePrefix + ".retries";
            }
            if (service.getIdempotent() != null) {
                idempotent = service.getIdempotent();
                idempotentSource = "property " + servicePrefix + ".idempotent";
            }
            service.getMethods().forEach((method, m) -> b.method(method,
                    new MethodConfig(m.getTimeout(), m.getIdempotent(), m.getRetries(), methodBreaker(type, d, method, m,
                            service, servicePrefix), m.getOneWay())));
        }
        b.idempotent(idempotent);
        RpcCircuitBreakerFactory breakerFactory = breakers.getIfAvailable();
        if (breakerFactory != null) {
            b.circuitBreaker(breakerFactory.service(serviceKey(type, d), service == null ? null : service.getCircuitBreaker(),
                    servicePrefix));
        }
        String fallbackName = service != null && service.getFallback() != null ? service.getFallback().strip()
                : resolve(d.fallback());
        if (!fallbackName.isEmpty()) {
            b.fallbackObject(fallback(type, fallbackName, service != null && service.getFallback() != null
                    ? "property " + servicePrefix + ".fallback" : d.origin() + "(fallback)"));
        }
        String balancer = defaults.getLoadBalancer();
        String balancerSource = source("rpc.client.load-balancer");
        String balancerText = resolve(d.loadBalancer());
        if (!balancerText.isEmpty()) {
            balancer = balancerText;
            b.loadBalancer(balancer);
            balancerSource = d.origin() + "(loadBalancer)";
        }
        ReferenceConfig<?> config;
        Object proxy;
        try {
            config = b.build();
            proxy = catalog.proxy(config);
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            if (message.startsWith("method settings for")) {
                message = "property " + servicePrefix + ".methods: " + message;
            }
            throw new IllegalArgumentException(message, e);
        }
        RpcClient.ReferenceInfo info = client.getObject().referenceOf(proxy);
        List<RpcServiceCatalog.MethodSettings> methods = new ArrayList<>();
        if (info != null) {
            for (MethodInfo m : info.methods()) {
                String prefix = servicePrefix + ".methods[" + m.method() + "].";
                String on = " on " + type.getSimpleName() + "." + m.method();
                methods.add(new RpcServiceCatalog.MethodSettings(m.method(),
                        new RpcServiceCatalog.Sourced<>(m.timeout(), source(m.timeoutSource(), prefix + "timeout",
                                "@RpcMethodOptions(timeout)" + on, timeoutSource)),
                        new RpcServiceCatalog.Sourced<>(m.idempotent(), source(m.idempotentSource(), prefix + "idempotent",
                                "@RpcMethodOptions(idempotent)" + on, idempotentSource)),
                        new RpcServiceCatalog.Sourced<>(m.idempotent() ? m.retries() : 0, !m.idempotent()
                                ? "not idempotent: calls that may have run are not retried"
                                : source(m.retriesSource(), prefix + "retries", "@RpcMethodOptions(retries)" + on,
                                retriesSource))));
            }
        }
        catalog.recordReference(new RpcServiceCatalog.Reference(d.injectedInto(), config.key().toString(),
                new RpcServiceCatalog.Sourced<>(timeout, timeoutSource), new RpcServiceCatalog.Sourced<>(retries, retriesSource),
                new RpcServiceCatalog.Sourced<>(idempotent, idempotentSource),
                new RpcServiceCatalog.Sourced<>(balancer, balancerSource), config.urls(), methods));
        return proxy;
    }

    /** The name of the service's breaker: its service key, as the meters and /actuator/rpc show it. */
    private String serviceKey(Class<?> type, Declaration d) {
        return new io.rpcboot.core.registry.ServiceKey(type.getName(), resolve(d.version()), resolve(d.group())).toString();
    }

    private io.github.resilience4j.circuitbreaker.@Nullable CircuitBreaker methodBreaker(Class<?> type, Declaration d,
            String method, RpcProperties.MethodSettings m, RpcProperties.ServiceSettings service, String servicePrefix) {
        RpcCircuitBreakerFactory breakerFactory = breakers.getIfAvailable();
        return breakerFactory == null ? null : breakerFactory.method(serviceKey(type, d) + "#" + method,
                m.getCircuitBreaker(), service.getCircuitBreaker(), servicePrefix + ".methods[" + method + "]");
    }

    /**
     * The fallback bean {@code name}: it must exist, implement {@code type}, and be no candidate for
     * injection by type (else a field of the interface could get it instead of the reference).
     */
    private Object fallback(Class<?> type, String name, String origin) {
        if (beans == null || !beans.containsBean(name)) {
            throw new IllegalArgumentException(origin + " names the bean '" + name + "', which does not exist");
        }
        Class<?> beanType = beans.getType(name);
        if (beanType != null && !type.isAssignableFrom(beanType)) {
            throw new IllegalArgumentException(origin + " names the bean '" + name + "' of type " + beanType.getName()
                    + ", which does not implement " + type.getName());
        }
        boolean candidate;
        try {
            candidate = beans.getMergedBeanDefinition(name).isAutowireCandidate(); // aliases and parents included
        } catch (NoSuchBeanDefinitionException e) {
            candidate = true; // a registered singleton: always a candidate for injection by type
        }
        if (candidate) {
            throw new IllegalArgumentException(origin + " names the bean '" + name + "', which is a candidate for"
                    + " injection by type: a field of " + type.getSimpleName() + " could get the fallback instead of the"
                    + " reference. Annotate it @RpcFallback (or declare it @Bean(autowireCandidate = false))");
        }
        return beans.getBean(name);
    }

    private static String source(SettingSource from, String property, String annotation, String referenceLevel) {
        return switch (from) {
            case METHOD_CONFIG -> "property " + property;
            case METHOD_ANNOTATION -> annotation;
            case REFERENCE, CLIENT -> referenceLevel;
        };
    }

    private String resolve(@Nullable String value) {
        return value == null ? "" : environment.resolveRequiredPlaceholders(value).strip();
    }

    private String source(String property) {
        return environment.containsProperty(property) ? "property " + property : "default of " + property;
    }
}
