package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import io.rpcboot.core.server.ExecutionMode;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A quick shutdown() apart from waiting for the drain, as gRPC's Server has. */
@Timeout(60)
class ServerShutdownTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    @Test
    void shutdownReturnsWhileACallIsInFlightAndAwaitTerminationWaitsForTheDrain() throws Exception {
        CountDownLatch serving = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RpcServer server = fixture.server(b -> b.service(Echo.class, new NamedEcho("a", 0) {
            @Override
            public String slow(long millis) {
                serving.countDown();
                try {
                    release.await(); // the call stays in flight until the test lets it go
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return name;
            }
        }));
        Echo echo = fixture.client().create(Echo.class);
        CompletableFuture<String> call = echo.slowAsync(0);
        serving.await();

        assertThat(server.shutdown()).isSameAs(server); // returns with the call still in flight
        assertThat(server.isRunning()).isFalse();
        assertThat(fixture.registry.instances(ServiceKey.of(Echo.class))).as("withdrawn at once").isEmpty();
        // no lock is held for the drain: another thread's stop requests return too
        CompletableFuture.runAsync(server::shutdown).get(10, TimeUnit.SECONDS);
        assertThat(server.awaitTermination(Duration.ofMillis(50))).as("terminated with a call in flight").isFalse();
        assertThat(server.isTerminated()).isFalse();

        release.countDown();

        assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo("a"); // the call in flight finished
        assertThat(server.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assertThat(server.isTerminated()).isTrue();
        assertThat(server.whenTerminated().toCompletableFuture().get()).as("every call finished in the drain").isTrue();
        assertThat(server.openConnections()).isZero();
    }

    @Test
    void aServerNeverStartedTerminatesAtShutdown() throws Exception {
        RpcServer server = RpcServer.builder().bind("127.0.0.1", 0).service(Echo.class, new NamedEcho("a", 0)).build();
        server.shutdown();
        assertThat(server.isTerminated()).isTrue();
        assertThat(server.awaitTermination(Duration.ZERO)).isTrue();
    }

    @Test
    void stopCalledOnTheServersOwnLoopFailsAtOnceInsteadOfWaitingForItself() throws Exception {
        AtomicReference<RpcServer> self = new AtomicReference<>();
        RpcServer server = fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
                .executionMode(ExecutionMode.DIRECT), b -> b.service(Echo.class, new NamedEcho("a", 0) {
            @Override
            public String whoAmI() {
                self.get().stop(); // a direct-mode provider runs on the server's loop
                return name;
            }
        }));
        self.set(server);
        Echo echo = fixture.client().create(Echo.class);

        assertThatThrownBy(echo::whoAmI).isInstanceOf(RpcRemoteException.class)
                .hasMessageContaining(IllegalStateException.class.getName())
                .hasMessageContaining("stop() called on an event loop of this server");
        assertThat(server.isRunning()).as("the refused stop changed nothing").isTrue();
    }
}
