package io.rpcboot.test.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.rpcboot.core.server.ServerConfig;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.PropertyMapping;

/**
 * rpc-boot in a test, without ports: the rpc server listens in process ({@code rpc.server.transport}
 * = {@code in-process}), the registry is a fresh in-memory one (the application's static instances
 * and ZooKeeper are left out), {@link RpcStub} beans are served, and an {@link RpcTestClient} calls
 * whatever the test's context provides. On a {@code @SpringBootTest} of a consumer, a stub declared in
 * the test answers the application's references:
 *
 * <pre>{@code
 * @SpringBootTest
 * @AutoConfigureRpc
 * class OrderControllerTests {
 *     @TestConfiguration
 *     static class Stubs {
 *         @Bean RpcStub<OrderService> orders() { return RpcStub.of(OrderService.class, new FixedOrders()); }
 *     }
 * }
 * }</pre>
 *
 * {@link RpcProviderTest} uses it too. The frames, codec, limits and interceptors are those of TCP.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration
@PropertyMapping("rpc.server")
public @interface AutoConfigureRpc {

    /** How the test's rpc server listens; in process by default (no port). */
    ServerConfig.Transport transport() default ServerConfig.Transport.IN_PROCESS;
}
