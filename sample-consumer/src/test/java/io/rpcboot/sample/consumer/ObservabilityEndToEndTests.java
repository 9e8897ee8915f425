package io.rpcboot.sample.consumer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.rpcboot.core.intercept.ClientInterceptor;
import io.rpcboot.core.intercept.ServerInterceptor;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.sample.api.GreetingService;
import io.rpcboot.sample.provider.SampleProviderApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The two samples as separate Spring Boot applications in one JVM, each with its own OpenTelemetry
 * tracer (so only the rpc frame's header can link their spans): an HTTP request to the consumer, its
 * rpc call, the provider serving it. Also checks that every metric the dashboard and the alert rules
 * use is published by the two applications.
 */
@Timeout(120)
class ObservabilityEndToEndTests {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static ConfigurableApplicationContext provider;
    private static ConfigurableApplicationContext consumer;
    /** The trace id in the MDC while the provider's and the consumer's rpc interceptors ran. */
    private static final List<String> providerMdc = new CopyOnWriteArrayList<>();
    private static final List<String> consumerMdc = new CopyOnWriteArrayList<>();

    /** Properties of both: no application.yml (the two samples' would shadow each other), every span sampled. */
    private static final String[] COMMON = {"--spring.config.location=optional:classpath:/none/", "--server.port=0",
            "--management.tracing.sampling.probability=1.0",
            "--management.endpoints.web.exposure.include=health,prometheus"};

    /** Every WARN or ERROR logged while the two applications started. */
    private static final ListAppender<ILoggingEvent> startupWarnings = new ListAppender<>();

    /**
     * Attaches {@link #startupWarnings} to the root logger right after Spring Boot has (re)configured
     * logging for an application that is starting (which drops appenders added before).
     */
    static final class CaptureWarnings implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {
        @Override
        public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(startupWarnings);
        }

        @Override
        public int getOrder() {
            return LoggingApplicationListener.DEFAULT_ORDER + 1;
        }
    }

    @BeforeAll
    static void start() {
        startupWarnings.addFilter(new ThresholdFilter() {
            {
                setLevel("WARN");
                start();
            }
        });
        startupWarnings.start();
        provider = new SpringApplicationBuilder(SampleProviderApplication.class).listeners(new CaptureWarnings())
                .initializers(context -> ((GenericApplicationContext) context).registerBean(InMemorySpanExporter.class,
                        InMemorySpanExporter::create))
                .initializers(context -> ((GenericApplicationContext) context).registerBean("mdcProbe",
                        ServerInterceptor.class, () -> chain -> {
                            providerMdc.add(String.valueOf(MDC.get("traceId")));
                            return chain.proceed();
                        }))
                .run(args("--spring.application.name=provider", "--rpc.server.port=0", "--rpc.server.host=127.0.0.1",
                        "--rpc.server.io-threads=1"));
        int rpcPort = provider.getBean(RpcServer.class).port();
        consumer = new SpringApplicationBuilder(SampleConsumerApplication.class).listeners(new CaptureWarnings())
                .initializers(context -> ((GenericApplicationContext) context).registerBean(InMemorySpanExporter.class,
                        InMemorySpanExporter::create))
                .initializers(context -> ((GenericApplicationContext) context).registerBean("mdcProbe",
                        ClientInterceptor.class, () -> chain -> {
                            consumerMdc.add(String.valueOf(MDC.get("traceId")));
                            return chain.proceed();
                        }))
                .run(args("--spring.application.name=consumer", "--rpc.server.enabled=false", "--rpc.client.io-threads=1",
                        "--rpc.registry.instances.[" + GreetingService.class.getName() + "]=127.0.0.1:" + rpcPort,
                        "--rpc.registry.instances.[io.rpcboot.sample.api.OrderService]=127.0.0.1:" + rpcPort));
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(startupWarnings);
    }

    @Test
    void neitherApplicationWarnsWhileStarting() {
        assertThat(startupWarnings.list).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
    }

    private static String[] args(String... own) {
        String[] all = new String[COMMON.length + own.length];
        System.arraycopy(COMMON, 0, all, 0, COMMON.length);
        System.arraycopy(own, 0, all, COMMON.length, own.length);
        return all;
    }

    @AfterAll
    static void stop() {
        if (consumer != null) {
            consumer.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    private static HttpResponse<String> get(ConfigurableApplicationContext app, String path) throws Exception {
        int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<SpanData> spans(ConfigurableApplicationContext app) {
        app.getBean(SdkTracerProvider.class).forceFlush().join(5, TimeUnit.SECONDS);
        return app.getBean(InMemorySpanExporter.class).getFinishedSpanItems();
    }

    @Test
    void oneTraceRunsFromTheHttpRequestThroughTheRpcClientToTheProviderAndIntoBothLogs() throws Exception {
        HttpResponse<String> answer = get(consumer, "/greet?name=Ada");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).startsWith("Hello, Ada!");

        String rpcName = GreetingService.class.getName() + "/greet";
        await().atMost(Duration.ofSeconds(10)).until(() -> spans(consumer).stream()
                .anyMatch(s -> s.getKind() == SpanKind.SERVER) && spans(provider).stream().anyMatch(s -> s.getName().equals(rpcName)));
        SpanData http = spans(consumer).stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        SpanData client = spans(consumer).stream().filter(s -> s.getName().equals(rpcName)).findFirst().orElseThrow();
        SpanData server = spans(provider).stream().filter(s -> s.getName().equals(rpcName)).findFirst().orElseThrow();

        assertThat(client.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(client.getTraceId()).isEqualTo(http.getTraceId());
        assertThat(client.getParentSpanId()).as("the rpc call is a child of the HTTP request").isEqualTo(http.getSpanId());
        assertThat(server.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(server.getTraceId()).as("the provider continues the consumer's trace").isEqualTo(http.getTraceId());
        assertThat(server.getParentSpanId()).as("the provider's span is a child of the rpc client's").isEqualTo(client.getSpanId());
        assertThat(server.getAttributes().get(AttributeKey.stringKey("rpc.system"))).isEqualTo("rpc-boot");
        assertThat(server.getAttributes().get(AttributeKey.stringKey("rpc.method"))).isEqualTo("greet");
        assertThat(client.getAttributes().get(AttributeKey.stringKey("server.port")))
                .isEqualTo(String.valueOf(provider.getBean(RpcServer.class).port()));

        assertThat(consumerMdc).as("the trace id in the consumer's MDC during the call").contains(http.getTraceId());
        assertThat(providerMdc).as("the trace id in the provider's MDC while it served the call").contains(http.getTraceId());
    }

    @Test
    void everyMetricTheDashboardAndTheAlertsUseIsPublished() throws Exception {
        assertThat(get(consumer, "/greet?name=Bo").statusCode()).isEqualTo(200);
        String scraped = get(provider, "/actuator/prometheus").body() + "\n" + get(consumer, "/actuator/prometheus").body();
        Set<String> used = new TreeSet<>();
        Pattern metric = Pattern.compile("\\brpc_[a-z_]+\\b");
        for (String file : List.of("rpc-alerts.yml", "rpc-dashboard.json")) {
            Matcher m = metric.matcher(Files.readString(Path.of("..", "docs", "observability", file)));
            while (m.find()) {
                used.add(m.group());
            }
        }
        assertThat(used).hasSizeGreaterThan(10);
        for (String name : used) {
            assertThat(scraped).as("published: %s", name).containsPattern("(?m)^" + name + "[{ ]");
        }
        assertThat(scraped).as("the observations' own timers are filtered out").doesNotContain("rpc_client_seconds")
                .doesNotContain("rpc_server_seconds");
    }
}
