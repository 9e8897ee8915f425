package io.rpcboot.sample.consumer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A web front end whose every answer comes from the provider over rpc-boot. */
@SpringBootApplication
public class SampleConsumerApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleConsumerApplication.class, args);
    }
}
