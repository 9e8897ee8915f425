package io.rpcboot.core.rpc;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.rpcboot.core.RpcPrincipal;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcStatusException;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.intercept.ServerInterceptor;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.rpc.TestServices.Calculator;
import io.rpcboot.core.rpc.TestServices.DefaultCalculator;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import io.rpcboot.core.security.AuthenticationInterceptor;
import io.rpcboot.core.security.TokenAuthenticator;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.serialize.TypeAllowList;
import io.rpcboot.core.server.ExecutionMode;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServiceDefinition;
import io.rpcboot.core.RpcContext;
import io.rpcboot.core.server.ServerConfig;
import io.rpcboot.core.PeerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** HTTP/JSON on the rpc port: real servers, the JDK HttpClient, curl, and raw sockets for what clients will not send. */
class HttpProtocolTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
    interface Shape {
    }

    record Circle(double radius) implements Shape {
    }

    interface Shapes {
        String describe(Shape shape);
    }

    /** Says which instance served a call, with the metadata it was asked for and whether it had a deadline. */
    interface Tagged {
        String who(String key);
    }

    private static Tagged tagged(String name) {
        return key -> name + " " + key + "=" + RpcContext.metadata().getOrDefault(key, "-") + " deadline="
                + RpcContext.deadlineMillis().isPresent();
    }

    private RpcServer calculator() {
        return fixture.server(b -> b.service(Calculator.class, new DefaultCalculator()));
    }

    private HttpResponse<String> post(RpcServer server, String path, String json, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    private static final String CALC = "/" + Calculator.class.getName();

    @Test
    void argumentsByPositionAndByNameAreAnsweredWithJson() throws Exception {
        RpcServer server = calculator();
        HttpResponse<String> byPosition = post(server, CALC + "/divide", "[84, 2]");
        assertThat(byPosition.statusCode()).isEqualTo(200);
        assertThat(byPosition.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(byPosition.body()).isEqualTo("42");

        HttpResponse<String> byName = post(server, CALC + "/divide", "{\"b\": 4, \"a\": 84}");
        assertThat(byName.body()).isEqualTo("21");

        // an overloaded name is called by its key, as in meters and settings
        assertThat(post(server, CALC + "/add(String,String)", "[\"a\", \"b\"]").body()).isEqualTo("\"ab\"");
        assertThat(post(server, CALC + "/add(int,int)", "[1, 2]").body()).isEqualTo("3");

        HttpResponse<String> items = post(server, CALC + "/items", "{\"quantities\": {\"b\": 2, \"a\": 1}, \"note\": \"n\"}");
        assertThat(json(items.body())).isEqualTo(json("[{\"name\":\"a\",\"quantity\":1,\"note\":\"n\"},"
                + "{\"name\":\"b\",\"quantity\":2,\"note\":\"n\"}]"));

        HttpResponse<String> asynchronous = post(server, CALC + "/addLater", "[20, 22]");
        assertThat(asynchronous.body()).isEqualTo("42");

        HttpResponse<String> reset = post(server, CALC + "/reset", "");
        assertThat(reset.statusCode()).isEqualTo(204);
        assertThat(reset.body()).isEmpty();
    }

    @Test
    void eachErrorHasItsStatusAndAJsonBody() throws Exception {
        RpcServer server = fixture.server(b -> b.service(Calculator.class, new DefaultCalculator())
                .service(Shapes.class, shape -> shape.toString())
                .interceptor(denyMethod("reset")));
        HttpResponse<String> noService = post(server, "/no.Such/thing", "[]");
        assertThat(noService.statusCode()).isEqualTo(404);
        assertThat(json(noService.body()).get("status").asString()).isEqualTo("NOT_FOUND");

        assertThat(post(server, CALC + "/nothing", "[]").statusCode()).isEqualTo(404);
        assertThat(post(server, CALC + "/add", "[1, 2]").statusCode()).as("an overloaded name needs its key").isEqualTo(404);

        HttpResponse<String> wrongCount = post(server, CALC + "/divide", "[1]");
        assertThat(wrongCount.statusCode()).isEqualTo(400);
        assertThat(json(wrongCount.body()).get("message").asString()).contains("1 elements for 2 parameters");
        assertThat(post(server, CALC + "/divide", "[1, \"x\"]").statusCode()).isEqualTo(400);
        assertThat(post(server, CALC + "/divide", "{\"a\": 1, \"c\": 2}").statusCode()).isEqualTo(400);
        assertThat(post(server, CALC + "/divide", "[1, 2").statusCode()).isEqualTo(400);
        HttpResponse<String> refusedType = post(server, "/" + Shapes.class.getName() + "/describe",
                "[{\"@class\": \"java.lang.ProcessBuilder\", \"command\": [\"true\"]}]");
        assertThat(refusedType.statusCode()).as("a class outside the allow-list").isEqualTo(400);
        HttpResponse<String> notListed = post(server, "/" + Shapes.class.getName() + "/describe",
                "[{\"@class\": \"" + Circle.class.getName() + "\", \"radius\": 1}]");
        assertThat(notListed.statusCode()).as("a subtype nobody allowed").isEqualTo(400);
        assertThat(json(notListed.body()).get("message").asString()).contains(Circle.class.getName());
        // the same body, to a server whose allow-list names the subtype: it decodes and is called
        RpcServer allowing = fixture.server(b -> b.serializations(Serializations.defaults(new TypeAllowList()
                .allow(Circle.class))).service(Shapes.class, shape -> shape.toString()));
        HttpResponse<String> listed = post(allowing, "/" + Shapes.class.getName() + "/describe",
                "[{\"@class\": \"" + Circle.class.getName() + "\", \"radius\": 1}]");
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).isEqualTo("\"Circle[radius=1.0]\"");
        assertThat(post(allowing, "/" + Shapes.class.getName() + "/describe",
                "[{\"@class\": \"java.lang.ProcessBuilder\", \"command\": [\"true\"]}]").statusCode())
                .as("still refused there").isEqualTo(400);

        HttpResponse<String> thrown = post(server, CALC + "/divide", "[1, 0]");
        assertThat(thrown.statusCode()).isEqualTo(500);
        JsonNode error = json(thrown.body());
        assertThat(error.get("status").asString()).isEqualTo("SERVICE_ERROR");
        assertThat(error.get("type").asString()).isEqualTo("java.lang.ArithmeticException");
        assertThat(error.get("message").asString()).isEqualTo("b must not be zero");

        assertThat(post(server, CALC + "/reset", "[]").statusCode()).isEqualTo(403);

        HttpRequest wrongType = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + CALC + "/divide"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("[1, 2]")).build();
        assertThat(http.send(wrongType, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(415);
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + CALC + "/divide")).GET().build();
        HttpResponse<String> notPost = http.send(get, HttpResponse.BodyHandlers.ofString());
        assertThat(notPost.statusCode()).isEqualTo(405);
        assertThat(notPost.headers().firstValue("allow")).hasValue("POST");
        HttpRequest nowhere = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/a/b/c")).GET().build();
        assertThat(http.send(nowhere, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        assertThat(post(server, CALC + "/divide", "[84, 2]").body()).as("the server is fine after all that").isEqualTo("42");
    }

    @Test
    void versionGroupDeadlineAndMetadataTravelAsHeaders() throws Exception {
        RpcServer server = fixture.server(b -> b
                .service(new ServiceDefinition(Tagged.class, tagged("plain"), "", "", 100))
                .service(new ServiceDefinition(Tagged.class, tagged("v2"), "2.0", "", 100))
                .service(new ServiceDefinition(Tagged.class, tagged("v2-blue"), "2.0", "blue", 100)));
        String who = "/" + Tagged.class.getName() + "/who";
        assertThat(post(server, who, "[\"k\"]").body()).isEqualTo("\"plain k=- deadline=false\"");
        assertThat(post(server, who, "[\"k\"]", "rpc-version", "2.0").body()).isEqualTo("\"v2 k=- deadline=false\"");
        assertThat(post(server, who, "[\"k\"]", "rpc-version", "2.0", "rpc-group", "blue").body())
                .isEqualTo("\"v2-blue k=- deadline=false\"");
        assertThat(post(server, who, "[\"k\"]", "rpc-version", "3.0").statusCode()).as("no such version").isEqualTo(404);
        assertThat(post(server, who, "[\"k\"]", "rpc-group", "blue").statusCode()).as("no such group without the version")
                .isEqualTo(404);

        assertThat(post(server, who, "[\"tenant\"]", "rpc-meta-tenant", "acme").body())
                .isEqualTo("\"plain tenant=acme deadline=false\"");
        assertThat(post(server, who, "[\"tenant\"]", "RPC-Meta-Tenant", "acme", "rpc-version", "2.0").body())
                .as("header names in any case").isEqualTo("\"v2 tenant=acme deadline=false\"");
        assertThat(post(server, who, "[\"k\"]", "rpc-timeout-ms", "5000").body()).isEqualTo("\"plain k=- deadline=true\"");
        HttpResponse<String> badDeadline = post(server, who, "[\"k\"]", "rpc-timeout-ms", "soon");
        assertThat(badDeadline.statusCode()).isEqualTo(400);
        assertThat(json(badDeadline.body()).get("message").asString()).contains("rpc-timeout-ms");
    }

    private static ServerInterceptor denyMethod(String name) {
        return chain -> {
            if (chain.call().method().javaMethod().getName().equals(name)) {
                throw new RpcStatusException(RpcStatus.PERMISSION_DENIED, name + " is not for you");
            }
            return chain.proceed();
        };
    }

    @Test
    void rateLimitedIs429AndAnExpiredDeadlineIs504() throws Exception {
        RpcServer server = fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
                        .rateLimits(Map.of(Calculator.class.getName() + "#divide", 1.0)),
                b -> b.service(Calculator.class, new DefaultCalculator()).service(Echo.class, new NamedEcho("e", 0)));
        int limited = 0;
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = post(server, CALC + "/divide", "[4, 2]");
            if (r.statusCode() == 429) {
                limited++;
                assertThat(json(r.body()).get("status").asString()).isEqualTo("OVERLOADED");
            }
        }
        assertThat(limited).as("at most one call a second, burst included").isGreaterThanOrEqualTo(3);

        long start = System.nanoTime();
        HttpResponse<String> late = post(server, "/" + Echo.class.getName() + "/slow", "[1000]", "rpc-timeout-ms", "200");
        assertThat(late.statusCode()).isEqualTo(504);
        assertThat(late.headers().firstValue("rpc-status")).hasValue("DEADLINE_EXCEEDED");
        assertThat(System.nanoTime() - start).as("answered at the deadline, not when the method ends")
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(900));
        assertThat(post(server, CALC + "/add(int,int)", "[1, 1]", "rpc-timeout-ms", "x").statusCode()).isEqualTo(400);
    }

    @Test
    void aDrainingServerAnswers503AndClosesTheConnection() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        RpcServer server = fixture.server(b -> b.service(Echo.class, new NamedEcho("e", 0) {
            @Override
            public String slow(long millis) {
                entered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "done";
            }
        }));
        String echo = "/" + Echo.class.getName();
        try (RawHttp busy = new RawHttp(server.port()); RawHttp idle = new RawHttp(server.port());
             RawHttp partial = new RawHttp(server.port())) {
            assertThat(idle.send(RawHttp.post(echo + "/whoAmI", "[]")).read().status()).isEqualTo(200);
            busy.send(RawHttp.post(echo + "/slow", "[1]"));
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            String request = RawHttp.post(echo + "/whoAmI", "[]");
            partial.send(request.substring(0, 20));
            CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> server.stop(Duration.ofSeconds(10)));
            assertThat(idle.closedByServer()).as("an idle connection is closed when the drain starts").isTrue();
            RawHttp.Response refused = partial.send(request.substring(20)).read();
            assertThat(refused.status()).as("a request that was on its way").isEqualTo(503);
            assertThat(refused.header("rpc-status")).isEqualTo("DRAINING");
            assertThat(refused.header("connection")).isEqualTo("close");
            assertThat(partial.closedByServer()).isTrue();
            release.countDown();
            RawHttp.Response done = busy.read();
            assertThat(done.status()).as("the call in flight finishes").isEqualTo(200);
            assertThat(done.header("connection")).isEqualTo("close");
            assertThat(busy.closedByServer()).isTrue();
            assertThat(stopped.get(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void authenticationAppliesToCallsAndToTheListing() throws Exception {
        TokenAuthenticator tokens = new TokenAuthenticator(Map.of("s3cret", new RpcPrincipal("ops", Set.of(), RpcPrincipal.TOKEN)));
        RpcServer server = fixture.server(b -> b.service(Calculator.class, new DefaultCalculator())
                .interceptor(new AuthenticationInterceptor(List.of(tokens), true)));
        HttpResponse<String> anonymous = post(server, CALC + "/divide", "[4, 2]");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("www-authenticate")).hasValue("Bearer");
        assertThat(post(server, CALC + "/divide", "[4, 2]", "Authorization", "Bearer guessed").statusCode()).isEqualTo(401);
        assertThat(post(server, CALC + "/divide", "[4, 2]", "Authorization", "Bearer s3cret").body()).isEqualTo("2");

        URI listing = URI.create("http://127.0.0.1:" + server.port() + "/");
        assertThat(http.send(HttpRequest.newBuilder(listing).GET().build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(401);
        HttpResponse<String> listed = http.send(HttpRequest.newBuilder(listing).header("Authorization", "Bearer s3cret")
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(listed.statusCode()).isEqualTo(200);
        JsonNode service = json(listed.body()).get("services").get(0);
        assertThat(service.get("service").asString()).isEqualTo(Calculator.class.getName());
        List<String> methods = new ArrayList<>();
        service.get("methods").forEach(m -> methods.add(m.get("method").asString()));
        assertThat(methods).contains("divide", "add(int,int)", "reset", "items");
        JsonNode divide = null;
        for (JsonNode m : service.get("methods")) {
            if (m.get("method").asString().equals("divide")) {
                divide = m;
            }
        }
        assertThat(divide).isNotNull();
        assertThat(divide.get("path").asString()).isEqualTo(CALC + "/divide");
        assertThat(divide.get("parameters").get(0).get("name").asString()).isEqualTo("a");

        HttpResponse<String> openApi = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/openapi.json")).header("Authorization", "Bearer s3cret").GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode doc = json(openApi.body());
        assertThat(doc.get("openapi").asString()).startsWith("3.");
        assertThat(doc.get("paths").get(CALC + "/divide").get("post").get("operationId").asString())
                .isEqualTo(Calculator.class.getName() + ".divide");
    }

    @Test
    void oneConnectionServesAThousandCallsAndPipelinedRequestsInOrder() throws Exception {
        RpcServer server = calculator();
        try (RawHttp c = new RawHttp(server.port())) {
            for (int i = 0; i < 1000; i++) {
                RawHttp.Response r = c.send(RawHttp.post(CALC + "/add(int,int)", "[" + i + ", 1]")).read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(String.valueOf(i + 1));
            }
            assertThat(server.openConnections()).as("all on one kept-alive connection").isEqualTo(1);

            c.send(RawHttp.post(CALC + "/add(String,String)", "[\"first\", \"\"]")
                    + RawHttp.post(CALC + "/add(String,String)", "[\"second\", \"\"]"));
            assertThat(c.read().body()).isEqualTo("\"first\"");
            assertThat(c.read().body()).isEqualTo("\"second\"");

            RawHttp.Response last = c.send(RawHttp.post(CALC + "/add(int,int)", "[1, 1]", "Connection", "close")).read();
            assertThat(last.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBodyAndChunkedBodiesAreRead() throws Exception {
        RpcServer server = calculator();
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("POST " + CALC + "/divide HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 7\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100);
            assertThat(c.send("[84, 2]").read().body()).isEqualTo("42");

            c.send("POST " + CALC + "/divide HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n3\r\n[84\r\n4;ext=1\r\n, 4]\r\n0\r\nx-trailer: y\r\n\r\n");
            assertThat(c.read().body()).isEqualTo("21");
        }
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("POST /nowhere HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 7\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.read().status()).as("refused before the body").isEqualTo(404);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void bothLengthAndChunkedAreRefused() throws Exception {
        RpcMetrics metrics = RpcMetrics.simple();
        RpcServer server = fixture.server(metrics, b -> b.service(Calculator.class, new DefaultCalculator()));
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("POST " + CALC + "/divide HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n[84, 2]\r\n0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("both Content-Length and Transfer-Encoding");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(metrics.registry().get("rpc.limits.exceeded").tag("reason", "http_malformed").counter().count()).isEqualTo(1);
    }

    @Test
    void aBodyOverTheFrameLimitIsRefusedWithoutReadingIt() throws Exception {
        RpcMetrics metrics = RpcMetrics.simple();
        RpcServer server = fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).maxFrameSize(64 * 1024),
                b -> b.metrics(metrics).service(Calculator.class, new DefaultCalculator()));
        try (RawHttp c = new RawHttp(server.port())) {
            // announces 1 GiB and sends none of it: the answer cannot have waited for the body
            c.send("POST " + CALC + "/divide HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1073741824\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.body()).contains("65536");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawHttp c = new RawHttp(server.port())) {
            // chunked without end: refused once the chunks add up past the limit
            c.send("POST " + CALC + "/divide HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            byte[] chunk = ("1000\r\n" + "x".repeat(4096) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            int sent = 0;
            try {
                for (; sent < 64; sent++) { // 256 KiB at most, four times the limit
                    c.send(chunk);
                }
            } catch (IOException e) {
                // the server closed while we were still sending: what we want
            }
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(metrics.registry().get("rpc.limits.exceeded").tag("reason", "http_body_size").counter().count()).isEqualTo(2);
    }

    /** A server whose requests must arrive whole within 300 ms. */
    private RpcServer withRequestTimeoutOf300ms(RpcMetrics metrics) {
        return fixture.server(ServerConfig.builder().host("127.0.0.1").port(0)
                        .peerLimits(PeerLimits.builder().frameTimeout(Duration.ofMillis(300)).build()),
                b -> b.metrics(metrics).service(Calculator.class, new DefaultCalculator()));
    }

    /** {@code GET /} with {@code Host} and {@code fields} more header fields. */
    private static String listingWithFields(int fields) {
        StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: t\r\n");
        for (int i = 0; i < fields; i++) {
            request.append("h").append(i).append(": v\r\n");
        }
        return request.append("\r\n").toString();
    }

    @Test
    void pipelinedBytesPastTheLimitAreRefusedAndTooManyFieldsToo() throws Exception {
        RpcMetrics metrics = RpcMetrics.simple();
        RpcServer server = fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).maxHttpPipelinedSize(1024)
                .maxHttpHeaderFields(10), b -> b.metrics(metrics).service(Calculator.class, new DefaultCalculator()));
        try (RawHttp c = new RawHttp(server.port())) {
            // two pipelined requests fit under 1 KiB: served in order
            c.send(RawHttp.post(CALC + "/add(int,int)", "[1, 1]") + RawHttp.post(CALC + "/add(int,int)", "[2, 2]"));
            assertThat(c.read().body()).isEqualTo("2");
            assertThat(c.read().body()).isEqualTo("4");
        }
        try (RawHttp c = new RawHttp(server.port())) {
            // one request, then 2 KiB of requests behind it in the same write: a new connection's
            // first read takes 2 KiB, more than may wait while the first is served
            StringBuilder behind = new StringBuilder();
            while (behind.length() < 2048) {
                behind.append(RawHttp.post(CALC + "/add(int,int)", "[3, 3]"));
            }
            c.send(RawHttp.post(CALC + "/add(int,int)", "[1, 2]") + behind);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(431);
            assertThat(r.body()).contains("rpc.server.http.max-pipelined-size");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response r = c.send(listingWithFields(10)).read(); // and Host: eleven
            assertThat(r.status()).isEqualTo(431);
            assertThat(r.body()).contains("rpc.server.http.max-header-fields");
        }
        try (RawHttp c = new RawHttp(server.port())) {
            assertThat(c.send(listingWithFields(9)).read().status()).as("at the limit, with Host").isEqualTo(200);
        }
        assertThat(metrics.registry().get("rpc.limits.exceeded").tag("reason", "http_pipeline").counter().count())
                .isEqualTo(1);
        assertThat(metrics.registry().get("rpc.limits.exceeded").tag("reason", "http_header_size").counter().count())
                .isEqualTo(1);
    }

    @Test
    void aTrickledChunkedBodyIsCutOffByTheRequestTimeout() throws Exception {
        RpcMetrics metrics = RpcMetrics.simple();
        RpcServer server = withRequestTimeoutOf300ms(metrics);
        java.util.concurrent.ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("POST " + CALC + "/divide HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n1\r\n[\r\n");
            // a byte of body every 20 ms, for ever: the server hears from it all the time, and still
            // ends the request once it has taken longer than the frame timeout
            trickle.scheduleWithFixedDelay(() -> {
                try {
                    c.send("1\r\n \r\n");
                } catch (IOException closed) {
                    throw new IllegalStateException(closed); // ends the schedule
                }
            }, 20, 20, TimeUnit.MILLISECONDS);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(c.closedByServer()).isTrue();
        } finally {
            trickle.shutdownNow();
        }
        assertThat(metrics.registry().get("rpc.limits.exceeded").tag("reason", "http_request_timeout").counter().count())
                .isEqualTo(1);
    }

    @Test
    void slowAndHugeHeadersAreCutOff() throws Exception {
        RpcMetrics metrics = RpcMetrics.simple();
        RpcServer server = withRequestTimeoutOf300ms(metrics);
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("POST " + CALC + "/divide HTTP/1.1\r\nHost: t\r\nX-Slow: ");
            RawHttp.Response r = c.read(); // the server answers when the request is late; we send nothing more
            assertThat(r.status()).isEqualTo(408);
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("POST " + CALC + "/divide HTTP/1.1\r\nHost: t\r\nX-Huge: " + "a".repeat(9000) + "\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(431);
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawHttp c = new RawHttp(server.port())) {
            assertThat(c.send(listingWithFields(150)).read().status()).isEqualTo(431);
        }
        try (RawHttp c = new RawHttp(server.port())) {
            assertThat(c.send("GET / HTTP/1.1\nHost: t\n\n").read().status()).as("bare LF").isEqualTo(400);
        }
        try (RawHttp c = new RawHttp(server.port())) {
            assertThat(c.send("GET / HTTP/2.0\r\nHost: t\r\n\r\n").read().status()).isEqualTo(505);
        }
        assertThat(metrics.registry().get("rpc.limits.exceeded").tag("reason", "http_request_timeout").counter().count())
                .isEqualTo(1);
        assertThat(metrics.registry().get("rpc.limits.exceeded").tag("reason", "http_header_size").counter().count())
                .isEqualTo(2);
        assertThat(post(server, CALC + "/divide", "[84, 2]").body()).isEqualTo("42");
    }

    @Test
    void binaryAndHttpClientsShareThePortUnderLoad() throws Exception {
        RpcMetrics metrics = RpcMetrics.simple();
        RpcServer server = fixture.server(metrics, b -> b.service(Calculator.class, new DefaultCalculator()));
        RpcClient client = fixture.client();
        Calculator calculator = client.create(Calculator.class);
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> binary = new ArrayList<>();
            List<Future<Integer>> overHttp = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int base = t * 1000;
                binary.add(callers.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 1000; i++) {
                        ok += calculator.add(base + i, 1) == base + i + 1 ? 1 : 0;
                    }
                    return ok;
                }));
                overHttp.add(callers.submit(() -> {
                    int ok = 0;
                    try (RawHttp c = new RawHttp(server.port())) {
                        for (int i = 0; i < 250; i++) {
                            RawHttp.Response r = c.send(RawHttp.post(CALC + "/add(int,int)", "[" + (base + i) + ", 1]")).read();
                            ok += r.status() == 200 && r.body().equals(String.valueOf(base + i + 1)) ? 1 : 0;
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : binary) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(1000);
            }
            for (Future<Integer> f : overHttp) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(250);
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(metrics.registry().get("rpc.server.requests").tag("protocol", "http").tag("method", "add(int,int)")
                .timer().count()).isEqualTo(1000);
        assertThat(metrics.registry().get("rpc.server.requests").tag("protocol", "binary").tag("method", "add(int,int)")
                .timer().count()).isEqualTo(4000);
    }

    @Test
    void curlCallsTheProvider() throws Exception {
        boolean curl = Files.isExecutable(Path.of("/usr/bin/curl")) || Files.isExecutable(Path.of("/bin/curl"));
        if (System.getenv("CI") != null) {
            assertThat(curl).as(".ci/run installs curl").isTrue();
        }
        assumeTrue(curl, "curl is not installed here (CI installs it)");
        RpcServer server = calculator();
        Process p = new ProcessBuilder("curl", "-sS", "--max-time", "20", "-H", "Content-Type: application/json",
                "-d", "{\"a\": 84, \"b\": 2}", "http://127.0.0.1:" + server.port() + CALC + "/divide")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("42");
        assertThat(p.exitValue()).isZero();
        Process byPosition = new ProcessBuilder("curl", "-sS", "--max-time", "20", "-H", "Content-Type: application/json",
                "-d", "[84, 4]", "-w", " %{http_code}", "http://127.0.0.1:" + server.port() + CALC + "/divide")
                .redirectErrorStream(true).start();
        assertThat(byPosition.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(byPosition.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("21 200");
    }

    @Test
    void httpCanBeTurnedOff() throws Exception {
        RpcServer server = fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).httpEnabled(false)
                .executionMode(ExecutionMode.POOL), b -> b.service(Calculator.class, new DefaultCalculator()));
        try (RawHttp c = new RawHttp(server.port())) {
            c.send(RawHttp.post(CALC + "/divide", "[4, 2]"));
            assertThat(c.closedByServer()).as("frames only: an HTTP request is a foreign peer").isTrue();
        }
    }

    interface Money {
        java.math.BigDecimal add(java.math.BigDecimal a, java.math.BigDecimal b);
    }

    @Test
    void numbersKeepEveryDigitAndCompressedAnswersComeBackWhole() throws Exception {
        RpcServer server = fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).compressionThreshold(256),
                b -> b.service(Money.class, java.math.BigDecimal::add).service(Calculator.class, new DefaultCalculator()));
        assertThat(post(server, "/" + Money.class.getName() + "/add", "[12345678901234567890.12, 0.10]").body())
                .isEqualTo("12345678901234567890.22");
        assertThat(post(server, "/" + Money.class.getName() + "/add", "{\"a\": 1.10, \"b\": 2.20}").body())
                .isEqualTo("3.30");
        String big = "x".repeat(50_000); // compresses far better than 100:1: the answer must still arrive whole
        assertThat(post(server, CALC + "/add(String,String)", "[\"" + big + "\", \"" + big + "\"]").body())
                .isEqualTo("\"" + big + big + "\"");
    }

    @Test
    void headAnswersCarryNoBodyAndTheConnectionGoesOn() throws Exception {
        RpcServer server = calculator();
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response listing = c.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n").readHead();
            assertThat(listing.status()).isEqualTo(200);
            assertThat(Integer.parseInt(listing.header("content-length"))).as("the length a GET would have").isPositive();
            RawHttp.Response wrongMethod = c.send("HEAD " + CALC + "/divide HTTP/1.1\r\nHost: t\r\n\r\n").readHead();
            assertThat(wrongMethod.status()).isEqualTo(405);
            RawHttp.Response next = c.send(RawHttp.post(CALC + "/divide", "[84, 2]")).read();
            assertThat(next.status()).as("no body was left in the stream to be taken for this answer").isEqualTo(200);
            assertThat(next.body()).isEqualTo("42");
        }
    }

    @Test
    void aCallLongerThanTheIdleTimeoutIsAnsweredNotCutOff() throws Exception {
        RpcServer server = fixture.server(ServerConfig.builder().host("127.0.0.1").port(0)
                .idleTimeout(Duration.ofMillis(300)), b -> b.service(Echo.class, new NamedEcho("e", 0)));
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response r = c.send(RawHttp.post("/" + Echo.class.getName() + "/slow", "[1000]")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(c.closedByServer()).as("idle once answered: closed then").isTrue();
        }
    }

    @Test
    void aConnectionToldToDrainBeforeItsFirstByteGetsHttpNotAFrame() throws Exception {
        RpcServer server = calculator();
        try (RawHttp c = new RawHttp(server.port())) {
            await().until(() -> server.openConnections() == 1);
            assertThat(server.takeOutOfService()).isTrue();
            RawHttp.Response r = c.send(RawHttp.post(CALC + "/divide", "[84, 2]")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("42");
            assertThat(c.closedByServer()).as("out of service: the connection ends after its answer").isTrue();
        }
    }
}
