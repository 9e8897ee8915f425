package io.rpcboot.test.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.autoconfigure.OverrideAutoConfiguration;
import org.springframework.boot.test.context.filter.annotation.TypeExcludeFilters;
import org.springframework.test.context.BootstrapWith;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * A test slice for providers: starts rpc-boot's beans and the named {@code @RpcProvider} classes
 * (every other component is left out, as {@code @WebMvcTest} leaves out everything but the web
 * layer), serves them in process (no port) and gives the test an {@link RpcTestClient} to call them
 * as a consumer would, through the codec, limits and interceptors:
 *
 * <pre>{@code
 * @RpcProviderTest(InMemoryOrderService.class)
 * class InMemoryOrderServiceTests {
 *     @Autowired RpcTestClient rpc;
 *
 *     @Test
 *     void findsWhatWasPlaced() {
 *         OrderService orders = rpc.reference(OrderService.class);
 *         ...
 *     }
 * }
 * }</pre>
 *
 * Beans the providers need are added with {@code @Import} or {@code @MockitoBean}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@BootstrapWith(RpcProviderTestContextBootstrapper.class)
@ExtendWith(SpringExtension.class)
@OverrideAutoConfiguration(enabled = false)
@TypeExcludeFilters(RpcProviderTypeExcludeFilter.class)
@AutoConfigureRpc
public @interface RpcProviderTest {

    /** The provider classes to start (their beans are scanned from the application); an alias of {@link #providers()}. */
    Class<?>[] value() default {};

    /** The provider classes to start; empty starts every {@code @RpcProvider} class the application scans. */
    Class<?>[] providers() default {};

    /** Properties for the test's environment, {@code key=value}. */
    String[] properties() default {};
}
