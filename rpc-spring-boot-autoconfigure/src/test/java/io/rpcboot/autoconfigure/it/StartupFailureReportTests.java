package io.rpcboot.autoconfigure.it;

import io.rpcboot.annotation.RpcReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** A real application that rpc-boot cannot start prints Spring Boot's report, not a stack trace. */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureReportTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(BadConsumer.class)
    static class BadApp {
    }

    static class BadConsumer {
        @RpcReference
        Hello.DefaultHello notAnInterface;
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TypoApp {
    }

    private static void run(Class<?> app, String... properties) {
        new SpringApplicationBuilder(app).web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off", "rpc.client.io-threads=1")
                .properties(properties).run();
    }

    @Test
    void anRpcStartupErrorIsReportedWithItsAction(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(BadApp.class));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Field 'BadConsumer.notAnInterface' of bean '")
                .contains("is annotated @RpcReference but its type " + Hello.DefaultHello.class.getName()
                        + " is not an interface.")
                .contains("Action:").contains("Declare the field with the service interface.");
    }

    @Test
    void aBadPropertyValueIsReportedNamingTheProperty(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(TypoApp.class, "rpc.client.load-balancer=fastest"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Invalid value 'fastest' for configuration property 'rpc.client.load-balancer'")
                .contains("Action:");
    }
}
