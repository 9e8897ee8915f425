package io.rpcboot.autoconfigure.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.rpcboot.autoconfigure.RpcServerLifecycle;
import io.rpcboot.autoconfigure.it.consumer.ConsumerApp;
import io.rpcboot.autoconfigure.it.provider.ProviderApp;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Operating a provider from Actuator, with two providers and a consumer on a real ZooKeeper: out of
 * service under load fails no call, back in service it takes calls again; readiness follows, also
 * while the provider drains on shutdown.
 */
@Timeout(180)
class OperationsApplicationTests {

    private static TestingServer zookeeper;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

    @BeforeAll
    static void startZooKeeper() throws Exception {
        zookeeper = new TestingServer(true);
    }

    @AfterAll
    static void stopZooKeeper() throws Exception {
        zookeeper.close();
    }

    @AfterEach
    void closeApplications() {
        contexts.forEach(ConfigurableApplicationContext::close);
    }

    private ConfigurableApplicationContext start(Class<?> app, String... properties) {
        List<String> all = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1",
                "management.endpoints.web.exposure.include=health,rpc", "management.endpoint.health.show-details=always",
                "management.endpoint.health.probes.enabled=true", "management.endpoint.rpc.access=unrestricted",
                "rpc.server.host=127.0.0.1", "rpc.server.port=0", "rpc.server.io-threads=1", "rpc.client.io-threads=1",
                "rpc.server.drain-timeout=10s", "rpc.registry.type=zookeeper",
                "rpc.registry.address=" + zookeeper.getConnectString(), "spring.main.banner-mode=off"));
        all.addAll(List.of(properties));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(app).properties(all.toArray(String[]::new)).run();
        contexts.add(context);
        return context;
    }

    private HttpResponse<String> send(ConfigurableApplicationContext context, String method, String path, String body)
            throws Exception {
        String port = context.getEnvironment().getProperty("local.server.port");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (method.equals("POST")) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long served(ConfigurableApplicationContext provider) {
        return provider.getBean(MeterRegistry.class).find("rpc.server.requests").timers().stream()
                .mapToLong(t -> t.count()).sum();
    }

    /** Callers that call until told to stop, and keep every failure. */
    private static final class Load {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger calls = new AtomicInteger();
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final List<CompletableFuture<Void>> threads = new ArrayList<>();

        Load(Hello hello) {
            for (int t = 0; t < 4; t++) {
                threads.add(CompletableFuture.runAsync(() -> {
                    while (running.get()) {
                        try {
                            hello.hello("load");
                            calls.incrementAndGet();
                        } catch (RuntimeException e) {
                            failures.add(e);
                        }
                    }
                }, r -> new Thread(r, "load").start()));
            }
        }

        void stop() {
            running.set(false);
            threads.forEach(CompletableFuture::join);
        }
    }

    @Test
    void outOfServiceUnderLoadFailsNoCallAndInServiceTakesCallsAgain() throws Exception {
        ConfigurableApplicationContext one = start(ProviderApp.class);
        ConfigurableApplicationContext two = start(ProviderApp.class);
        ConfigurableApplicationContext consumer = start(ConsumerApp.class);
        Hello hello = consumer.getBean(ConsumerApp.HelloController.class).proxy();
        Load load = new Load(hello);
        await().atMost(Duration.ofSeconds(30)).until(() -> served(one) > 200 && served(two) > 200);

        HttpResponse<String> out = send(one, "POST", "/actuator/rpc/out-of-service", "{}");
        assertThat(out.statusCode()).isEqualTo(200);
        assertThat(out.body()).contains("\"changed\":true").contains("\"inService\":false");
        HttpResponse<String> readiness = send(one, "GET", "/actuator/health/readiness", "");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("\"status\":\"OUT_OF_SERVICE\"");
        assertThat(one.getBean(HealthEndpointGroups.class).get("readiness").isMember("rpc"))
                .as("the rpc component is in a provider's readiness group").isTrue();
        assertThat(consumer.getBean(HealthEndpointGroups.class).get("readiness").isMember("rpc"))
                .as("and not in a consumer-only application's").isFalse();
        assertThat(send(one, "GET", "/actuator/health", "").body())
                .containsPattern("\"rpc\":\\{\"details\":\\{[^}]*\"server\":\"out of service\"[^}]*},\"status\":\"OUT_OF_SERVICE\"");

        // once the notice and the registry's event have reached the consumer, one takes no new call
        long twoAtNotice = served(two);
        await().atMost(Duration.ofSeconds(30)).until(() -> served(two) > twoAtNotice + 500);
        long oneQuiet = served(one);
        long twoQuiet = served(two);
        await().atMost(Duration.ofSeconds(30)).until(() -> served(two) > twoQuiet + 500);
        assertThat(served(one)).as("calls served by the provider out of service").isEqualTo(oneQuiet);

        HttpResponse<String> in = send(one, "POST", "/actuator/rpc/in-service", "{}");
        assertThat(in.body()).contains("\"changed\":true").contains("\"inService\":true");
        assertThat(send(one, "GET", "/actuator/health/readiness", "").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> served(one) > oneQuiet + 200);
        load.stop();
        assertThat(load.failures).as("failed calls on the consumer").isEmpty();
        assertThat(load.calls.get()).isGreaterThan(1500);
    }

    @Test
    void writeOperationsAreReadOnlyByDefaultAndWeightIsChangedPerService() throws Exception {
        ConfigurableApplicationContext locked = start(ProviderApp.class, "management.endpoint.rpc.access=read-only");
        assertThat(send(locked, "POST", "/actuator/rpc/out-of-service", "{}").statusCode()).isIn(404, 405);
        assertThat(locked.getBean(RpcServerLifecycle.class).isInService()).isTrue();

        ConfigurableApplicationContext open = start(ProviderApp.class);
        HttpResponse<String> weight = send(open, "POST", "/actuator/rpc/weight",
                "{\"service\":\"" + Hello.class.getName() + "\",\"weight\":7}");
        assertThat(weight.statusCode()).isEqualTo(200);
        assertThat(weight.body()).contains("\"" + Hello.class.getName() + "\":7");
        HttpResponse<String> unknown = send(open, "POST", "/actuator/rpc/weight", "{\"service\":\"com.example.Nope\",\"weight\":7}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(send(open, "POST", "/actuator/rpc/reboot", "{}").statusCode()).isEqualTo(400);
    }

    @Test
    void whileTheProviderDrainsOnShutdownReadinessIsOutOfServiceOverHttp() throws Exception {
        ConfigurableApplicationContext provider = start(ProviderApp.class);
        ConfigurableApplicationContext consumer = start(ConsumerApp.class);
        Hello hello = consumer.getBean(ConsumerApp.HelloController.class).proxy();
        CompletableFuture<String> slow = hello.helloLater("slow", 1500); // the reference's timeout is 2 s
        await().until(() -> provider.getBean(RpcServerLifecycle.class).getServer().inFlight() == 1);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(provider::close);

        // the rpc server drains first; the web server still answers, and says: not ready
        await().atMost(Duration.ofSeconds(5)).until(() -> provider.getBean(RpcServerLifecycle.class).isDraining());
        HttpResponse<String> readiness = send(provider, "GET", "/actuator/health/readiness", "");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("OUT_OF_SERVICE");
        assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("Hello, slow!");
        closing.get(30, TimeUnit.SECONDS);
        assertThat(RpcServerLifecycle.PHASE).as("the rpc drain comes before the web server's graceful shutdown")
                .isGreaterThan(WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE);
    }
}
