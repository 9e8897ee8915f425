package io.rpcboot.autoconfigure.it.provider;

import io.rpcboot.autoconfigure.it.Hello;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/** A provider application: one @RpcProvider bean, web server for Actuator. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(Hello.DefaultHello.class)
public class ProviderApp {
}
