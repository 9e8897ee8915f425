package io.rpcboot.core.client;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.internal.context.Metadata;
import io.rpcboot.core.tls.TlsConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.jspecify.annotations.Nullable;

/**
 * What one proxy calls and how: the service (interface, version, group), and overrides of the
 * client's defaults. A null setting means "the client's default".
 *
 * @param timeout        deadline of each call
 * @param methods        settings of particular methods, by {@link io.rpcboot.core.RpcMethod#key() method key}; they
 *                       win over the method's {@link io.rpcboot.annotation.RpcMethodOptions}, which wins over
 *                       this reference's settings
 * @param retries        retries of calls that may have run; honoured only when {@code idempotent}
 * @param idempotent     whether running a call twice is harmless, which allows those retries
 * @param loadBalancer   balancer name, e.g. {@code least-active}
 * @param urls           direct {@code host:port} addresses, bypassing the registry; empty to use it
 * @param serialization  serialization name, e.g. {@code json}
 * @param metadata       metadata every call of this reference carries (keys as {@link io.rpcboot.core.RpcContext} says)
 * @param tls            TLS settings for this reference's providers (another trust store, say); null uses the client's
 * @param circuitBreaker the breaker every call of this reference passes (a method may have its own,
 *                       {@link MethodConfig#circuitBreaker()}); null: none. See {@link RpcCircuitBreakers}
 * @param fallback       answers a call in the provider's place when the breaker refuses it or it fails
 *                       for a reason that is not the provider's answer ({@link RpcCircuitBreakers#isFailure});
 *                       null: the caller gets the failure
 */
public record ReferenceConfig<T>(Class<T> interfaceClass, String version, String group, @Nullable Duration timeout,
                                 Map<String, MethodConfig> methods, @Nullable Integer retries, boolean idempotent,
                                 @Nullable String loadBalancer, List<String> urls, @Nullable String serialization,
                                 Map<String, String> metadata, @Nullable TlsConfig tls,
                                 @Nullable CircuitBreaker circuitBreaker, @Nullable T fallback) {

    public ReferenceConfig {
        Objects.requireNonNull(interfaceClass, "interfaceClass");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(group, "group");
        methods = Map.copyOf(methods);
        urls = List.copyOf(urls);
        try {
            Metadata.check(metadata);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (metadata of the reference to " + interfaceClass.getName()
                    + ")", e);
        }
        metadata = Map.copyOf(metadata);
        if (!interfaceClass.isInterface()) {
            throw new IllegalArgumentException(interfaceClass.getName() + " is not an interface: references are made"
                    + " to service interfaces");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be > 0, was " + timeout + " for " + interfaceClass.getName());
        }
        if (retries != null && retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, was " + retries + " for " + interfaceClass.getName());
        }
        if (fallback != null && !interfaceClass.isInstance(fallback)) {
            throw new IllegalArgumentException("the fallback of the reference to " + interfaceClass.getName() + " must"
                    + " implement it; " + fallback.getClass().getName() + " does not");
        }
    }

    public static <T> Builder<T> builder(Class<T> interfaceClass) {
        return new Builder<>(interfaceClass);
    }

    public ServiceKey key() {
        return new ServiceKey(interfaceClass.getName(), version, group);
    }

    /** Collects a reference's settings. */
    public static final class Builder<T> {
        private final Class<T> interfaceClass;
        private String version = "";
        private String group = "";
        private @Nullable Duration timeout;
        private final Map<String, MethodConfig> methods = new HashMap<>();
        private @Nullable Integer retries;
        private boolean idempotent;
        private @Nullable String loadBalancer;
        private List<String> urls = List.of();
        private @Nullable String serialization;
        private final Map<String, String> metadata = new java.util.LinkedHashMap<>();
        private @Nullable TlsConfig tls;
        private @Nullable CircuitBreaker circuitBreaker;
        private @Nullable T fallback;

        private Builder(Class<T> interfaceClass) {
            this.interfaceClass = interfaceClass;
        }

        public Builder<T> version(String v) {
            version = v;
            return this;
        }

        public Builder<T> group(String v) {
            group = v;
            return this;
        }

        public Builder<T> timeout(Duration v) {
            timeout = v;
            return this;
        }

        /** The deadline of one method, by its {@link io.rpcboot.core.RpcMethod#key() key}. */
        public Builder<T> methodTimeout(String methodKey, Duration v) {
            return method(methodKey, MethodConfig.timeout(v));
        }

        /** Settings of one method, by its {@link io.rpcboot.core.RpcMethod#key() key}; merged with earlier ones for it. */
        public Builder<T> method(String methodKey, MethodConfig v) {
            methods.merge(methodKey, v, MethodConfig::overriddenBy);
            return this;
        }

        public Builder<T> retries(int v) {
            retries = v;
            return this;
        }

        public Builder<T> idempotent(boolean v) {
            idempotent = v;
            return this;
        }

        public Builder<T> loadBalancer(String v) {
            loadBalancer = v;
            return this;
        }

        public Builder<T> urls(List<String> v) {
            urls = v;
            return this;
        }

        public Builder<T> serialization(String v) {
            serialization = v;
            return this;
        }

        /** Adds an entry every call of this reference carries. */
        public Builder<T> metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        public Builder<T> metadata(Map<String, String> entries) {
            metadata.putAll(entries);
            return this;
        }

        /** TLS for this reference's connections, instead of the client's. */
        public Builder<T> tls(@Nullable TlsConfig v) {
            tls = v;
            return this;
        }

        /** The breaker every call of this reference passes, unless a method has its own. */
        public Builder<T> circuitBreaker(@Nullable CircuitBreaker v) {
            circuitBreaker = v;
            return this;
        }

        /** A local implementation that answers when the breaker refuses a call or it fails to reach a provider. */
        public Builder<T> fallback(@Nullable T v) {
            fallback = v;
            return this;
        }

        /** Like {@link #fallback(Object)}, for an object typed elsewhere; it must implement the interface. */
        public Builder<T> fallbackObject(@Nullable Object v) {
            if (v != null && !interfaceClass.isInstance(v)) {
                throw new IllegalArgumentException("the fallback " + v.getClass().getName() + " does not implement "
                        + interfaceClass.getName());
            }
            fallback = interfaceClass.cast(v);
            return this;
        }

        public ReferenceConfig<T> build() {
            return new ReferenceConfig<>(interfaceClass, version, group, timeout, methods, retries, idempotent,
                    loadBalancer, urls, serialization, metadata, tls, circuitBreaker, fallback);
        }
    }
}
