package io.rpcboot.autoconfigure.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.rpcboot.autoconfigure.it.consumer.ConsumerApp;
import io.rpcboot.autoconfigure.it.provider.ProviderApp;
import io.rpcboot.core.RpcException;
import io.rpcboot.core.server.RpcServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** A provider application and a consumer application, each with its web server on a random port. */
@Timeout(120)
class ProviderConsumerApplicationTests {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

    @AfterEach
    void closeApplications() {
        contexts.forEach(ConfigurableApplicationContext::close);
    }

    private ConfigurableApplicationContext start(Class<?> app, String... properties) {
        List<String> all = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1",
                "management.endpoints.web.exposure.include=health,prometheus,rpc,metrics",
                "management.endpoint.health.show-details=always", "rpc.server.host=127.0.0.1",
                "rpc.server.io-threads=1", "rpc.client.io-threads=1", "rpc.server.drain-timeout=5s",
                "spring.main.banner-mode=off"));
        all.addAll(List.of(properties));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(app).properties(all.toArray(String[]::new)).run();
        contexts.add(context);
        return context;
    }

    private String get(ConfigurableApplicationContext context, String path) throws Exception {
        String port = context.getEnvironment().getProperty("local.server.port");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
        return response.body();
    }

    @Test
    void callsFlowThroughTheReferenceAndShowInActuator() throws Exception {
        ConfigurableApplicationContext provider = start(ProviderApp.class, "rpc.server.port=0");
        int rpcPort = provider.getBean(RpcServer.class).port();
        ConfigurableApplicationContext consumer = start(ConsumerApp.class, "rpc.server.enabled=false",
                "rpc.registry.instances.[" + Hello.class.getName() + "]=127.0.0.1:" + rpcPort);

        for (String name : List.of("Ada", "Bo", "Cy")) {
            assertThat(get(consumer, "/hello?name=" + name)).isEqualTo("Hello, " + name + "!");
        }

        String service = Hello.class.getName();
        String providerMetrics = get(provider, "/actuator/prometheus");
        assertThat(providerMetrics)
                .contains("rpc_server_requests_seconds_count{exception=\"none\",method=\"hello\",outcome=\"success\",protocol=\"binary\",service=\""
                        + service + "\",status=\"OK\"} 3")
                .contains("rpc_server_requests_seconds_bucket{exception=\"none\",method=\"hello\",outcome=\"success\",protocol=\"binary\",service=\""
                        + service + "\",status=\"OK\",le=\"+Inf\"} 3")
                .containsPattern("(?m)^rpc_server_connections(\\{[^}]*})? [12]\\.0$"); // the consumer opens up to 2
        String consumerMetrics = get(consumer, "/actuator/prometheus");
        assertThat(consumerMetrics)
                .contains("rpc_client_requests_seconds_count{exception=\"none\",method=\"hello\",outcome=\"success\",service=\""
                        + service + "\",status=\"OK\"} 3")
                .doesNotContain("rpc_client_seconds").doesNotContain("rpc_server_")
                .containsPattern("(?m)^rpc_client_connections(\\{[^}]*})? [12]\\.0$");

        assertThat(get(provider, "/actuator/rpc")).contains("\"service\":\"" + service + "\"").contains("\"running\":true");
        assertThat(get(consumer, "/actuator/rpc")).contains("\"injectedInto\":\"")
                .contains("\"timeout\":{\"value\":\"PT2S\",\"source\":\"@RpcReference(timeout)\"}")
                .contains("127.0.0.1:" + rpcPort);
        assertThat(get(provider, "/actuator/health")).contains("\"rpc\":{").containsPattern("\"rpc\":\\{\"details\":\\{[^}]*\"server.port\":" + rpcPort + "[^}]*},\"status\":\"UP\"");
        assertThat(get(provider, "/actuator/metrics/rpc.server.requests")).contains("\"name\":\"rpc.server.requests\"");
    }

    @Test
    void closingTheProviderLetsCallsInFlightFinishAndNewCallsFailFast() throws Exception {
        ConfigurableApplicationContext provider = start(ProviderApp.class, "rpc.server.port=0");
        int rpcPort = provider.getBean(RpcServer.class).port();
        ConfigurableApplicationContext consumer = start(ConsumerApp.class, "rpc.server.enabled=false",
                "rpc.registry.instances.[" + Hello.class.getName() + "]=127.0.0.1:" + rpcPort);
        Hello hello = consumer.getBean(ConsumerApp.HelloController.class).proxy();
        assertThat(hello.hello("warm")).isEqualTo("Hello, warm!");

        List<CompletableFuture<String>> inFlight = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            inFlight.add(hello.helloLater("n" + i, 500));
        }
        RpcServer server = provider.getBean(RpcServer.class);
        org.awaitility.Awaitility.await().until(() -> server.inFlight() == 10); // all ten are being served
        CompletableFuture<Void> closing = CompletableFuture.runAsync(provider::close);

        for (int i = 0; i < 10; i++) {
            assertThat(inFlight.get(i).get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("Hello, n" + i + "!");
        }
        closing.get(30, java.util.concurrent.TimeUnit.SECONDS);

        long before = System.nanoTime();
        assertThatExceptionOfType(RpcException.class).isThrownBy(() -> hello.hello("late"))
                .withMessageContaining(Hello.class.getName());
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
    }
}
