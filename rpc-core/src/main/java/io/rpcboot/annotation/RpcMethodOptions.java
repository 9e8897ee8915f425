package io.rpcboot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How consumers call one method of a service interface, stated where the method is declared: its
 * deadline, whether running it twice is harmless, and how many retries that allows. Every reference
 * to the interface honours it, field or bean, Spring or plain Java.
 *
 * <p>Precedence, most specific first: the method's {@code rpc.client.services.[interface].methods.[method].*}
 * properties (in plain Java, {@link io.rpcboot.core.client.ReferenceConfig.Builder#method}), then this
 * annotation, then the reference's own settings, then the client's defaults. {@code /actuator/rpc}
 * shows each effective value and where it came from.
 *
 * <pre>{@code
 * public interface OrderService {
 *     @RpcMethodOptions(timeout = "300ms", idempotent = true, retries = 2)
 *     Order find(long id);
 *
 *     Order place(OrderRequest request);   // not retried: it may have run
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RpcMethodOptions {

    /** Deadline of each call, as a duration ({@code 300ms}, {@code 2s}, {@code PT1S}); empty leaves it to the reference. */
    String timeout() default "";

    /**
     * Whether running the method twice is harmless, which allows retrying a call that may have run.
     * {@code false} (the default) leaves it to the reference.
     */
    boolean idempotent() default false;

    /** Retries of a call that may have run (only when idempotent); -1 leaves it to the reference. */
    int retries() default -1;
}
