package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.RpcNoInstanceException;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.rpc.TestServices.Calculator;
import io.rpcboot.core.rpc.TestServices.DefaultCalculator;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.Item;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import io.rpcboot.core.server.RpcServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

@Timeout(60)
class CallSemanticsTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    private final DefaultCalculator calculatorImpl = new DefaultCalculator();

    private Calculator calculator() {
        fixture.server(b -> b.service(Calculator.class, calculatorImpl));
        return fixture.client().create(Calculator.class);
    }

    @Test
    void callsResolveOverloadsByParameterTypes() {
        Calculator calc = calculator();
        assertThat(calc.add(2, 3)).isEqualTo(5);
        assertThat(calc.add(2L, 3L)).isEqualTo(1_000_000_000_005L);
        assertThat(calc.add("a", "b")).isEqualTo("ab");
    }

    @Test
    void nullArgumentsArriveAsNull() {
        assertThat(calculator().add((String) null, "b")).isEqualTo("null:null:b");
    }

    @Test
    void recordsCollectionsAndOptionalsTravel() {
        assertThat(calculator().items(Map.of("b", 2, "a", 1), "gift"))
                .containsExactly(new Item("a", 1, Optional.of("gift")), new Item("b", 2, Optional.of("gift")));
    }

    @Test
    void aThrownExceptionComesBackWithItsTypeAndMessage() {
        Calculator calc = calculator();
        assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(() -> calc.divide(1, 0))
                .satisfies(e -> {
                    assertThat(e.status()).isEqualTo(RpcStatus.SERVICE_ERROR);
                    assertThat(e.remoteType()).isEqualTo("java.lang.ArithmeticException");
                    assertThat(e.remoteMessage()).isEqualTo("b must not be zero");
                })
                .withMessageStartingWith(Calculator.class.getName() + ".divide(int,int) on 127.0.0.1:")
                .withMessageEndingWith(": java.lang.ArithmeticException: b must not be zero");
    }

    @Test
    void completableFutureMethodsAreAsynchronousEndToEnd() throws Exception {
        CompletableFuture<Integer> sum = calculator().addLater(20, 22);
        assertThat(sum.get(5, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void voidMethodsRun() {
        calculator().reset();
        assertThat(calculatorImpl.resets).isEqualTo(1);
    }

    @Test
    void aFourMebibyteArgumentRoundTrips() {
        fixture.server(b -> b.service(Echo.class, new NamedEcho("a", 0)));
        Echo echo = fixture.client().create(Echo.class);
        byte[] payload = new byte[4 * 1024 * 1024];
        new Random(7).nextBytes(payload);
        assertThat(echo.echo(payload)).isEqualTo(payload);
    }

    @Test
    void aSlowCallTimesOutNamingServiceMethodEndpointAndTimeout() {
        RpcServer server = fixture.server(b -> b.service(Echo.class, new NamedEcho("a", 0)));
        RpcClient client = fixture.client();
        Echo echo = client.create(ReferenceConfig.builder(Echo.class).timeout(Duration.ofMillis(200)).build());
        assertThatExceptionOfType(RpcTimeoutException.class).isThrownBy(() -> echo.slow(2_000))
                .withMessage("call to " + Echo.class.getName() + ".slow(long) on 127.0.0.1:" + server.port()
                        + " timed out after 200 ms");
        assertThat(echo.slow(0)).isEqualTo("a"); // the connection is still good
    }

    @Test
    void anInterruptedCallerGetsAnErrorKeepsItsInterruptAndLeavesTheConnectionUsable() throws Exception {
        fixture.server(b -> b.service(Echo.class, new NamedEcho("a", 0)));
        Echo echo = fixture.client().create(ReferenceConfig.builder(Echo.class).timeout(Duration.ofSeconds(30)).build());
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                outcome.complete(echo.slow(3_000));
            } catch (RuntimeException e) {
                outcome.complete(List.of(e, Thread.currentThread().isInterrupted()));
            }
        }, "interrupted-caller");
        caller.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> caller.getState() == Thread.State.TIMED_WAITING);
        caller.interrupt();
        Object result = outcome.get(10, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(List.class);
        List<?> failure = (List<?>) result;
        assertThat((Throwable) failure.get(0)).isInstanceOf(io.rpcboot.core.RpcException.class)
                .hasMessage("interrupted while waiting for " + Echo.class.getName() + ".slow(long)");
        assertThat(failure.get(1)).as("the interrupt is kept").isEqualTo(true);
        assertThat(echo.slow(0)).isEqualTo("a");
    }

    @Test
    void aMethodTimeoutOverridesTheReferenceTimeout() {
        fixture.server(b -> b.service(Echo.class, new NamedEcho("a", 0)));
        Echo echo = fixture.client().create(ReferenceConfig.builder(Echo.class).timeout(Duration.ofSeconds(30))
                .methodTimeout("slow", Duration.ofMillis(100)).build());
        assertThatExceptionOfType(RpcTimeoutException.class).isThrownBy(() -> echo.slow(2_000))
                .withMessageEndingWith("timed out after 100 ms");
    }

    @Test
    void proxiesAnswerObjectMethodsLocally() {
        RpcClient client = fixture.client();
        Echo a = client.create(Echo.class);
        Echo b = client.create(Echo.class);
        assertThat(a).isEqualTo(a).isNotEqualTo(b);
        assertThat(a.hashCode()).isEqualTo(System.identityHashCode(a));
        assertThat(a.toString()).isEqualTo("RpcReference[" + Echo.class.getName() + "]");
    }

    @Test
    void noInstanceFailsFastNamingTheService() {
        Echo echo = fixture.client().create(Echo.class);
        assertThatExceptionOfType(RpcNoInstanceException.class).isThrownBy(echo::whoAmI)
                .withMessageStartingWith("no instance of " + Echo.class.getName() + " is known");
    }

    @Test
    void versionsAndGroupsSelectTheirOwnProvider() {
        fixture.server(b -> b.service(new io.rpcboot.core.server.ServiceDefinition(Echo.class, new NamedEcho("v1", 0),
                "1.0", "", 100)).service(new io.rpcboot.core.server.ServiceDefinition(Echo.class,
                new NamedEcho("v2-blue", 0), "2.0", "blue", 100)));
        RpcClient client = fixture.client();
        assertThat(client.create(ReferenceConfig.builder(Echo.class).version("1.0").build()).whoAmI()).isEqualTo("v1");
        assertThat(client.create(ReferenceConfig.builder(Echo.class).version("2.0").group("blue").build()).whoAmI())
                .isEqualTo("v2-blue");
    }

    @Test
    void directUrlsBypassTheRegistry() {
        RpcServer server = fixture.server(b -> b.service(Echo.class, new NamedEcho("direct", 0)));
        fixture.registry.unregister(server.announcedInstances().get(0));
        Echo echo = fixture.client().create(ReferenceConfig.builder(Echo.class)
                .urls(List.of("127.0.0.1:" + server.port())).build());
        assertThat(echo.whoAmI()).isEqualTo("direct");
    }
}
