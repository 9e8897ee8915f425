package io.rpcboot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean (a {@code @Component} class, or a {@code @Bean} method) as the fallback of
 * references to an interface it implements: it answers calls their circuit breaker refuses, or that
 * fail to reach a provider. With rpc-boot's Spring Boot starter the bean is no candidate for
 * injection by type, so a field of the interface still gets the remote reference, never the
 * fallback. Name the bean in {@code @RpcReference(fallback)} or
 * {@code rpc.client.services.[interface].fallback}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RpcFallback {
}
