package io.rpcboot.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Import;

/**
 * Registers a client proxy bean for each service interface named in {@link #types()} or found in
 * {@link #basePackages()}, so that it can be injected like any bean (constructor injection,
 * {@code final} fields, {@code @Autowired}) and replaced in tests ({@code @MockitoBean}). Put it on
 * a {@code @Configuration} class, as Spring Framework's {@code @ImportHttpServices} is used for
 * HTTP interface clients.
 *
 * <pre>{@code
 * @Configuration
 * @ImportRpcServices(types = OrderService.class, timeout = "2s")
 * class RpcClients { }
 *
 * @RestController
 * class OrderController {
 *     private final OrderService orders;
 *     OrderController(OrderService orders) { this.orders = orders; }
 * }
 * }</pre>
 *
 * <p>Each bean's type is its interface; its name is the service key ({@code com.example.OrderService},
 * or {@code com.example.OrderService:2.0@eu} with a version and group), which is the qualifier to
 * use when two beans reference one interface in different versions or groups:
 * {@code @Qualifier("com.example.OrderService:2.0")}. Attributes work as on
 * {@link io.rpcboot.annotation.RpcReference} (placeholders included), and
 * {@code rpc.client.services.[interface].*} properties win over them. Repeat the annotation for
 * interfaces that need other attributes.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(ImportRpcServices.Container.class)
@Import(RpcServicesRegistrar.class)
public @interface ImportRpcServices {

    /** The service interfaces to register; an alias of {@link #types()}. */
    Class<?>[] value() default {};

    /** The service interfaces to register. */
    Class<?>[] types() default {};

    /** Packages whose top-level interfaces are all registered (sub-packages included). */
    String[] basePackages() default {};

    /** The service version to call. */
    String version() default "";

    /** The service group to call. */
    String group() default "";

    /** Deadline of each call ({@code 500ms}, {@code 2s}); empty means {@code rpc.client.timeout}. */
    String timeout() default "";

    /** Retries of calls that may have run (only when idempotent); -1 means {@code rpc.client.retries}. */
    int retries() default -1;

    /** Whether calling any method twice is harmless, which allows {@link #retries()}. */
    boolean idempotent() default false;

    /** Balancer name, e.g. {@code least-active}; empty means {@code rpc.client.load-balancer}. */
    String loadBalancer() default "";

    /** Direct addresses, {@code host:port} or a comma-separated list, bypassing the registry. */
    String url() default "";

    /** Metadata every call carries, as {@code key=value} entries. */
    String[] metadata() default {};

    /** A Spring Boot SSL bundle for these references' connections; empty uses {@code rpc.client.ssl.bundle}. */
    String sslBundle() default "";

    /** Holds repeated {@link ImportRpcServices}. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @Import(RpcServicesRegistrar.class)
    @interface Container {
        ImportRpcServices[] value();
    }
}
