package io.rpcboot.sample.provider;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Publishes {@link InMemoryOrderService} and {@link FriendlyGreetingService} on rpc.server.port. */
@SpringBootApplication
public class SampleProviderApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleProviderApplication.class, args);
    }
}
