package io.rpcboot.core.server;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where a provider's methods run, on its class (every method) or on one of its methods (that
 * method), e.g. {@code @RpcExecution(ExecutionMode.POOL)} on a method that waits for a database.
 * Put it on the implementation, not the service interface: where a method runs is the provider's
 * business. Settings in {@code rpc.server.services.[interface]} ({@code .execution},
 * {@code .methods.[method].execution}) win over it; it wins over {@code rpc.server.execution-mode}.
 * Found through subclasses (a Spring proxy of the bean's class), not through an interface-based proxy.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RpcExecution {

    /** Where the calls run. */
    ExecutionMode value();
}
