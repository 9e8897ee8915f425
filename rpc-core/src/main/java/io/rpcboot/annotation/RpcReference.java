package io.rpcboot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects a client proxy for the field's service interface. Attributes left at their defaults take
 * the values of the {@code rpc.client.*} properties. String attributes support {@code ${...}}
 * placeholders resolved against the environment.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface RpcReference {

    /** The service version to call. */
    String version() default "";

    /** The service group to call. */
    String group() default "";

    /**
     * Deadline of each call, as a duration ({@code 500ms}, {@code 2s}, {@code PT1S}); empty means
     * {@code rpc.client.timeout}.
     */
    String timeout() default "";

    /** Retries of calls that may have run (only with {@link #idempotent()}); -1 means {@code rpc.client.retries}. */
    int retries() default -1;

    /** Whether calling twice is harmless, which allows {@link #retries()}. */
    boolean idempotent() default false;

    /** Balancer name, e.g. {@code least-active}; empty means {@code rpc.client.load-balancer}. */
    String loadBalancer() default "";

    /** Direct addresses, {@code host:port} or a comma-separated list, bypassing the registry. */
    String url() default "";

    /**
     * Metadata every call of this reference carries, as {@code key=value} entries (values may use
     * {@code ${...}} placeholders); added to {@code rpc.client.metadata}, winning over it.
     */
    String[] metadata() default {};

    /**
     * A Spring Boot SSL bundle for this reference's connections, when its providers need another
     * trust store (or client certificate) than {@code rpc.client.ssl.bundle}; empty uses the client's.
     */
    String sslBundle() default "";

    /**
     * Name of a bean implementing the interface, annotated {@link RpcFallback}, that answers calls
     * the circuit breaker refuses or that fail to reach a provider; empty: the caller gets the failure.
     */
    String fallback() default "";
}
