package io.rpcboot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Publishes a bean as an RPC service. The service interface is {@link #interfaceClass()}, or else the
 * single interface the bean's class implements. With rpc-boot's Spring Boot starter, annotate a
 * {@code @Component} (or a {@code @Bean}'s class) and it is served when the application is ready.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RpcProvider {

    /** The service interface; needed when the class implements none or several interfaces. */
    Class<?> interfaceClass() default void.class;

    /** The service version; consumers must ask for the same. Supports {@code ${...}} placeholders. */
    String version() default "";

    /** The service group; consumers must ask for the same. Supports {@code ${...}} placeholders. */
    String group() default "";

    /** Relative share of traffic under the {@code weighted} and {@code random} balancers, 1..10000. */
    int weight() default 100;
}
