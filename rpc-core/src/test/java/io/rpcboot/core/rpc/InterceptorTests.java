package io.rpcboot.core.rpc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.rpcboot.core.RpcConnectionException;
import io.rpcboot.core.RpcContext;
import io.rpcboot.core.RpcException;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.intercept.ClientAttempt;
import io.rpcboot.core.intercept.ClientInterceptor;
import io.rpcboot.core.intercept.ServerInterceptor;
import io.rpcboot.core.rpc.TestServices.Calculator;
import io.rpcboot.core.rpc.TestServices.DefaultCalculator;
import io.rpcboot.core.server.RpcServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Client and server interceptors and call metadata, over real sockets. */
@Timeout(60)
class InterceptorTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    /** Answers with what the call being served carries. */
    interface Meta {
        String get(String key);

        CompletableFuture<String> getLater(String key);

        /** Calls {@link #get} on another server while serving this call. */
        String nested(String key);

        String declared(String what) throws CheckedFailure;
    }

    static final class CheckedFailure extends Exception {
        CheckedFailure(String message) {
            super(message);
        }
    }

    static final class MetaService implements Meta {
        final AtomicInteger runs = new AtomicInteger();
        volatile Meta next;

        public String get(String key) {
            runs.incrementAndGet();
            return String.valueOf(RpcContext.metadata().get(key));
        }

        public CompletableFuture<String> getLater(String key) {
            String value = get(key);
            return CompletableFuture.supplyAsync(() -> value);
        }

        public String nested(String key) {
            return next.get(key);
        }

        public String declared(String what) throws CheckedFailure {
            throw new CheckedFailure(what);
        }
    }

    private static ClientInterceptor recordingClient(String name, List<String> events) {
        return chain -> {
            events.add(name + " before " + chain.call().method().key());
            return chain.proceed().whenComplete((v, e) -> events.add(name + " after " + (e == null ? v : "failed")));
        };
    }

    private static ServerInterceptor recordingServer(String name, List<String> events) {
        return chain -> {
            events.add(name + " before " + chain.call().method().key());
            return chain.proceed().whenComplete((v, e) -> events.add(name + " after " + (e == null ? v : "failed")));
        };
    }

    @Test
    void interceptorsRunInOrderAroundSyncAndAsyncCallsOnBothSides() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        fixture.server(b -> b.service(Calculator.class, new DefaultCalculator())
                .interceptor(recordingServer("s1", events)).interceptor(recordingServer("s2", events)));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1),
                b -> b.interceptor(recordingClient("c1", events)).interceptor(recordingClient("c2", events)));
        Calculator calc = client.create(Calculator.class);

        assertThat(calc.divide(6, 3)).isEqualTo(2);
        assertThat(events).containsExactly("c1 before divide", "c2 before divide", "s1 before divide",
                "s2 before divide", "s2 after 2", "s1 after 2", "c2 after 2", "c1 after 2");

        events.clear();
        assertThat(calc.addLater(2, 3).get(5, TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(events).containsExactly("c1 before addLater", "c2 before addLater", "s1 before addLater",
                "s2 before addLater", "s2 after 5", "s1 after 5", "c2 after 5", "c1 after 5");

        events.clear();
        assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(() -> calc.divide(1, 0))
                .satisfies(e -> assertThat(e.remoteType()).isEqualTo(ArithmeticException.class.getName()));
        assertThat(events).containsExactly("c1 before divide", "c2 before divide", "s1 before divide",
                "s2 before divide", "s2 after failed", "s1 after failed", "c2 after failed", "c1 after failed");
    }

    @Test
    void metadataTravelsFromEverySourceAndOnlyListedKeysPropagate() throws Exception {
        MetaService back = new MetaService();
        RpcServer backServer = fixture.server(b -> b.service(Meta.class, back));
        MetaService front = new MetaService();
        fixture.server(b -> b.service(Meta.class, front));
        // the front provider calls the back one directly, propagating "tenant" but not "secret"
        RpcClient nestedClient = fixture.client(ClientConfig.builder().ioThreads(1).propagatedMetadata(Set.of("tenant")));
        front.next = nestedClient.create(ReferenceConfig.builder(Meta.class)
                .urls(List.of("127.0.0.1:" + backServer.port())).build());
        back.next = front.next; // the caller below reaches either server

        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1).metadata(Map.of("app", "shop")),
                b -> b.interceptor(chain -> {
                    chain.call().metadata().put("from-interceptor", "yes");
                    return chain.proceed();
                }));
        Meta meta = client.create(ReferenceConfig.builder(Meta.class).metadata("region", "eu").build());

        assertThat(meta.get("app")).isEqualTo("shop");
        assertThat(meta.get("region")).isEqualTo("eu");
        assertThat(meta.get("from-interceptor")).isEqualTo("yes");
        assertThat(meta.get("tenant")).isEqualTo("null");
        assertThat(RpcContext.callWithMetadata(Map.of("tenant", "acme", "region", "us"), () -> meta.get("tenant")))
                .isEqualTo("acme");
        assertThat(RpcContext.callWithMetadata(Map.of("region", "us"), () -> meta.get("region")))
                .as("per call wins over the reference").isEqualTo("us");
        assertThat(RpcContext.callWithMetadata(Map.of("tenant", "acme"), () -> meta.getLater("tenant"))
                .get(5, TimeUnit.SECONDS)).isEqualTo("acme");
        assertThat(RpcContext.callWithMetadata(Map.of("tenant", "acme", "secret", "s"), () -> meta.nested("tenant")))
                .isEqualTo("acme");
        assertThat(RpcContext.callWithMetadata(Map.of("tenant", "acme", "secret", "s"), () -> meta.nested("secret")))
                .as("a key not listed to propagate stays with its call").isEqualTo("null");
        assertThat(RpcContext.metadata()).as("the caller's thread is not serving a call").isEmpty();
    }

    @Test
    void metadataIsCheckedWhereItIsAttachedAndAgainstTheHeaderBudget() {
        MetaService service = new MetaService();
        fixture.server(b -> b.service(Meta.class, service));
        RpcClient client = fixture.client();
        Meta meta = client.create(Meta.class);
        assertThatExceptionOfType(IllegalArgumentException.class)
                .isThrownBy(() -> RpcContext.callWithMetadata(Map.of("Tenant", "x"), () -> meta.get("x")))
                .withMessageContaining("'Tenant'").withMessageContaining("lowercase");
        assertThatExceptionOfType(IllegalArgumentException.class)
                .isThrownBy(() -> RpcContext.callWithMetadata(Map.of("deadline", "1"), () -> meta.get("x")))
                .withMessageContaining("protocol's own header");
        assertThatExceptionOfType(IllegalArgumentException.class)
                .isThrownBy(() -> ReferenceConfig.builder(Meta.class).metadata("bad key", "v").build())
                .withMessageContaining("'bad key'").withMessageContaining(Meta.class.getName());

        // every header the protocol itself uses is refused as a metadata key (traceparent is carried as metadata)
        for (String own : List.of(io.rpcboot.core.internal.protocol.Headers.SERVICE,
                io.rpcboot.core.internal.protocol.Headers.METHOD, io.rpcboot.core.internal.protocol.Headers.VERSION,
                io.rpcboot.core.internal.protocol.Headers.GROUP, io.rpcboot.core.internal.protocol.Headers.DEADLINE)) {
            assertThatExceptionOfType(IllegalArgumentException.class)
                    .isThrownBy(() -> RpcContext.callWithMetadata(Map.of(own, "x"), () -> meta.get("x")))
                    .withMessageContaining("protocol's own header");
        }
        assertThatExceptionOfType(RpcException.class)
                .isThrownBy(() -> RpcContext.callWithMetadata(Map.of("huge", "x".repeat(10 << 20)), () -> meta.get("huge")))
                .withMessageContaining("at most 8192 may be sent");
        String big = "x".repeat(9000);
        assertThatExceptionOfType(RpcException.class)
                .isThrownBy(() -> RpcContext.callWithMetadata(Map.of("big", big), () -> meta.get("big")))
                .withMessageContaining("at most 8192 may be sent").withMessageContaining("max-header-size");
        Map<String, String> many = new java.util.HashMap<>();
        for (int i = 0; i < 65; i++) {
            many.put("k" + i, "v");
        }
        assertThatExceptionOfType(RpcException.class)
                .isThrownBy(() -> RpcContext.callWithMetadata(many, () -> meta.get("k1")))
                .withMessageContaining("65 metadata entries").withMessageContaining("max-attachments");
        assertThat(service.runs).as("nothing over the budget was sent").hasValue(0);
        assertThat(meta.get("x")).as("the connection is still good").isEqualTo("null");
    }

    @Test
    void interceptorsMayAnswerThemselvesOnBothSides() throws Exception {
        MetaService service = new MetaService();
        fixture.server(b -> b.service(Meta.class, service).interceptor(chain ->
                chain.call().metadata().containsKey("refuse")
                        ? CompletableFuture.failedFuture(new SecurityException("refused by the server interceptor"))
                        : chain.proceed()));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1), b -> b.interceptor(chain ->
                chain.call().arguments()[0].equals("cached") ? CompletableFuture.completedFuture("from cache")
                        : chain.proceed()));
        Meta meta = client.create(Meta.class);

        assertThat(meta.get("cached")).isEqualTo("from cache");
        assertThat(meta.getLater("cached").get(5, TimeUnit.SECONDS)).isEqualTo("from cache");
        assertThat(service.runs).as("the client interceptor answered: nothing was sent").hasValue(0);

        assertThatExceptionOfType(RpcRemoteException.class)
                .isThrownBy(() -> RpcContext.callWithMetadata(Map.of("refuse", "1"), () -> meta.get("x")))
                .satisfies(e -> {
                    assertThat(e.status()).isEqualTo(RpcStatus.SERVICE_ERROR);
                    assertThat(e.remoteType()).isEqualTo(SecurityException.class.getName());
                    assertThat(e.remoteMessage()).isEqualTo("refused by the server interceptor");
                });
        assertThat(service.runs).as("the server interceptor answered: the method did not run").hasValue(0);
    }

    @Test
    void anInterceptorThatThrowsFailsTheCallWithWhatItThrewAndLeaksNothing() {
        MetaService service = new MetaService();
        fixture.server(b -> b.service(Meta.class, service).interceptor(chain -> {
            if (chain.call().arguments()[0].equals("boom")) {
                throw new IllegalStateException("server interceptor failed");
            }
            return chain.proceed();
        }));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1), b -> b.interceptor(chain -> {
            if (chain.call().arguments()[0].equals("bang")) {
                throw new IllegalStateException("client interceptor failed");
            }
            CompletionStage<Object> outcome = chain.proceed();
            if (chain.call().arguments()[0].equals("after")) {
                throw new IllegalArgumentException("failed after proceeding");
            }
            return outcome;
        }));
        Meta meta = client.create(Meta.class);

        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> meta.get("bang"))
                .withMessage("client interceptor failed");
        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> meta.getLater("bang").get(5, TimeUnit.SECONDS))
                .havingCause().isInstanceOf(IllegalStateException.class).withMessage("client interceptor failed");
        assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> meta.get("after"))
                .withMessage("failed after proceeding");
        assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(() -> meta.get("boom"))
                .satisfies(e -> assertThat(e.remoteMessage()).isEqualTo("server interceptor failed"));
        assertThat(meta.get("ok")).isEqualTo("null");
        // the fixture checks that no call stays in flight on either side and every buffer came back
    }

    @Test
    void proceedingTwiceOrReturningNullIsNamed() {
        fixture.server(b -> b.service(Meta.class, new MetaService()).interceptor(new ServerInterceptor() {
            @Override
            public CompletionStage<Object> intercept(Chain chain) {
                if (chain.call().arguments()[0].equals("twice")) {
                    chain.proceed();
                    return chain.proceed();
                }
                return chain.call().arguments()[0].equals("null") ? null : chain.proceed();
            }
        }));
        ClientInterceptor twice = new TwiceInterceptor();
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1), b -> b.interceptor(twice));
        Meta meta = client.create(Meta.class);

        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> meta.get("client-twice"))
                .withMessageContaining(TwiceInterceptor.class.getName())
                .withMessageContaining("called proceed() more than once");
        assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(() -> meta.get("twice"))
                .satisfies(e -> assertThat(e.remoteMessage()).contains("called proceed() more than once"));
        assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(() -> meta.get("null"))
                .satisfies(e -> assertThat(e.remoteMessage()).contains("returned null from intercept()"));
    }

    static final class TwiceInterceptor implements ClientInterceptor {
        @Override
        public CompletionStage<Object> intercept(Chain chain) {
            if (chain.call().arguments()[0].equals("client-twice")) {
                chain.proceed();
                return chain.proceed();
            }
            return chain.proceed();
        }
    }

    @Test
    void aDeclaredCheckedExceptionReachesASynchronousCallerThroughInterceptorsWhenAnInterceptorRaisesIt() {
        fixture.server(b -> b.service(Meta.class, new MetaService()));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1), b -> b.interceptor(chain ->
                chain.call().method().key().equals("declared")
                        ? CompletableFuture.failedFuture(new CheckedFailure("from the interceptor"))
                        : chain.proceed()));
        Meta meta = client.create(Meta.class);
        assertThatExceptionOfType(CheckedFailure.class).isThrownBy(() -> meta.declared("x"))
                .withMessage("from the interceptor");
    }

    @Test
    void everyTryOfAnInstanceIsReportedBelowTheRetries() throws Exception {
        fixture.server(b -> b.service(Meta.class, new MetaService()));
        RpcServer live = fixture.server(b -> b.service(Calculator.class, new DefaultCalculator()));
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort(); // closed at once: nothing listens there
        }
        ConcurrentLinkedQueue<ClientAttempt> attempts = new ConcurrentLinkedQueue<>();
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1), b -> b.interceptor(new ClientInterceptor() {
            @Override
            public CompletionStage<Object> intercept(Chain chain) {
                return chain.proceed();
            }

            @Override
            public void attemptEnded(ClientAttempt attempt) {
                attempts.add(attempt);
            }
        }));
        Calculator calc = client.create(ReferenceConfig.builder(Calculator.class)
                .urls(List.of("127.0.0.1:" + deadPort, "127.0.0.1:" + live.port())).build());
        for (int i = 0; i < 4; i++) {
            assertThat(calc.divide(8, 2)).isEqualTo(4);
        }
        assertThat(attempts).filteredOn(a -> a.status() == RpcStatus.OK).hasSize(4)
                .allSatisfy(a -> assertThat(a.instance().port()).isEqualTo(live.port()));
        assertThat(attempts).filteredOn(a -> a.status() == null).isNotEmpty()
                .allSatisfy(a -> {
                    assertThat(a.instance().port()).isEqualTo(deadPort);
                    assertThat(a.failure()).isInstanceOf(RpcConnectionException.class);
                });
    }

    @Test
    void anAsynchronousCallersCallbacksRunWithItsObservationCurrent() throws Exception {
        io.micrometer.observation.ObservationRegistry observations = io.micrometer.observation.ObservationRegistry.create();
        List<String> stopped = Collections.synchronizedList(new ArrayList<>());
        observations.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {
            @Override
            public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(io.micrometer.observation.Observation.Context context) {
                stopped.add(context.getName());
            }
        });
        fixture.server(b -> b.service(TestServices.Echo.class, new TestServices.NamedEcho("e", 0)));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1),
                b -> b.interceptor(new io.rpcboot.core.observation.ObservationClientInterceptor(observations, null)));
        TestServices.Echo echo = client.create(TestServices.Echo.class);

        io.micrometer.observation.Observation parent = io.micrometer.observation.Observation.start("http", observations);
        java.util.concurrent.atomic.AtomicReference<Object> currentInCallback = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<String> callbackThread = new java.util.concurrent.atomic.AtomicReference<>();
        CompletableFuture<String> answer;
        try (io.micrometer.observation.Observation.Scope scope = parent.openScope()) {
            answer = echo.slowAsync(200).thenApply(v -> {
                currentInCallback.set(observations.getCurrentObservation());
                callbackThread.set(Thread.currentThread().getName());
                return v;
            });
        }
        assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo("e");
        assertThat(callbackThread.get()).as("completed on a client loop, not the caller's thread")
                .isNotEqualTo(Thread.currentThread().getName());
        assertThat(currentInCallback.get()).as("the caller's observation, current again in its callback").isSameAs(parent);
        assertThat(observations.getCurrentObservation()).isNull();
        parent.stop();
        assertThat(stopped).containsExactly("rpc.client", "http");
    }

    @Test
    void anInterceptorMayWaitForTheCallOnTheCallersThread() {
        fixture.server(b -> b.service(Calculator.class, new DefaultCalculator()));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1).timeout(java.time.Duration.ofSeconds(2)),
                b -> b.interceptor(chain -> {
                    Object answer = chain.proceed().toCompletableFuture().join(); // a "synchronous around" interceptor
                    return CompletableFuture.completedFuture(answer);
                }).interceptor(chain -> chain.proceed().thenApply(v -> v)));
        Calculator calc = client.create(Calculator.class);
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            assertThat(calc.divide(9, 3)).isEqualTo(3);
        }
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).as("none waited for its deadline")
                .isLessThan(java.time.Duration.ofSeconds(2));
    }

    @Test
    void anInterceptorWaitingForACallThatGetsNoAnswerWaitsOnlyUntilTheDeadline() {
        fixture.server(b -> b.service(TestServices.Echo.class, new TestServices.NamedEcho("e", 0)));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1).timeout(java.time.Duration.ofMillis(300)),
                b -> b.interceptor(chain -> CompletableFuture.completedFuture(chain.proceed().toCompletableFuture().join())));
        TestServices.Echo echo = client.create(TestServices.Echo.class);
        long start = System.nanoTime();
        assertThatExceptionOfType(io.rpcboot.core.RpcTimeoutException.class).isThrownBy(() -> echo.slow(1500));
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofMillis(1400));
    }

    @Test
    void anErrorThrownAfterProceedingFailsTheCallAndLeaksNothing() {
        fixture.server(b -> b.service(Calculator.class, new DefaultCalculator()));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1), b -> b.interceptor(chain -> {
            chain.proceed();
            throw new StackOverflowError("thrown by an interceptor after proceeding");
        }));
        Calculator calc = client.create(Calculator.class);
        assertThatExceptionOfType(StackOverflowError.class).isThrownBy(() -> calc.divide(4, 2))
                .withMessage("thrown by an interceptor after proceeding");
        // the fixture checks that the call that went out ended (no call in flight) and its buffers came back
    }

    @Test
    void anObservationHandlerThatThrowsDoesNotChangeOrHoldTheCall() throws Exception {
        io.micrometer.observation.ObservationRegistry observations = io.micrometer.observation.ObservationRegistry.create();
        observations.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {
            @Override
            public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(io.micrometer.observation.Observation.Context context) {
                throw new IllegalStateException("a broken handler");
            }
        });
        fixture.server(b -> b.service(Calculator.class, new DefaultCalculator())
                .interceptor(new io.rpcboot.core.observation.ObservationServerInterceptor(observations, null)));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1),
                b -> b.interceptor(new io.rpcboot.core.observation.ObservationClientInterceptor(observations, null)));
        Calculator calc = client.create(Calculator.class);
        assertThat(calc.divide(8, 4)).isEqualTo(2);
        assertThat(calc.addLater(1, 2).get(5, TimeUnit.SECONDS)).isEqualTo(3);
    }

    @Test
    void propagatedKeysAreLowercaseMetadataAndReadBackWhateverTheirCase() {
        Map<String, String> sent = new java.util.HashMap<>();
        io.rpcboot.core.observation.RpcClientObservationContext client =
                new io.rpcboot.core.observation.RpcClientObservationContext(new FakeClientCall(sent));
        client.getSetter().set(client.getCarrier(), "X-B3-TraceId", "463ac35c9f6413ad");
        assertThat(sent).containsEntry("x-b3-traceid", "463ac35c9f6413ad").doesNotContainKey("X-B3-TraceId");
    }

    /** Just enough of a ClientCall for a carrier. */
    private record FakeClientCall(Map<String, String> metadata) implements io.rpcboot.core.intercept.ClientCall {
        public io.rpcboot.core.registry.ServiceKey service() {
            return io.rpcboot.core.registry.ServiceKey.of(Calculator.class);
        }

        public io.rpcboot.core.RpcMethod method() {
            return new io.rpcboot.core.RpcMethod(Calculator.class.getName(), Calculator.class.getMethods()[0]);
        }

        public Object[] arguments() {
            return new Object[0];
        }

        public long deadlineMillis() {
            return 0;
        }

        public Map<String, Object> attributes() {
            return new java.util.HashMap<>();
        }
    }
}
