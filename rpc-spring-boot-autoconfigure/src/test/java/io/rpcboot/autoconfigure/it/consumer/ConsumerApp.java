package io.rpcboot.autoconfigure.it.consumer;

import io.rpcboot.annotation.RpcReference;
import io.rpcboot.autoconfigure.it.Hello;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A consumer application: a web endpoint that calls the provider through @RpcReference. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ConsumerApp.HelloController.class)
public class ConsumerApp {

    @RestController
    public static class HelloController {
        @RpcReference(timeout = "2s")
        Hello hello;

        @GetMapping("/hello")
        String hello(@RequestParam String name) {
            return hello.hello(name);
        }

        public Hello proxy() {
            return hello;
        }
    }
}
