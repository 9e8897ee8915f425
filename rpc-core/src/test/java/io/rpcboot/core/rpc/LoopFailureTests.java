package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.rpcboot.core.RpcConnectionException;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.internal.reactor.EventLoop;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An event loop that meets a VirtualMachineError ends, and the calls on its connections fail rather than hang. */
@Timeout(60)
class LoopFailureTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    @Test
    void callsInFlightOnALoopEndedByAVirtualMachineErrorFailWithTheConnectionLost() throws Exception {
        CountDownLatch serving = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fixture.server(b -> b.service(Echo.class, new NamedEcho("a", 0) {
            @Override
            public String slow(long millis) {
                serving.countDown();
                try {
                    release.await(); // held until the client's loop has died
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return name;
            }
        }));
        EventLoopGroup clientLoops = new EventLoopGroup("doomed-client-io", 1, true);
        try (RpcClient client = RpcClient.builder().config(ClientConfig.builder().build()).registry(fixture.registry)
                .resources(fixture.parts().clientLoops(clientLoops).build()).build()) {
            // a deadline far beyond the test's own timeout: only the loop's death may end this call
            Echo echo = client.create(ReferenceConfig.builder(Echo.class).timeout(Duration.ofSeconds(60)).build());
            CompletableFuture<String> call = echo.slowAsync(0);
            serving.await();

            EventLoop loop = clientLoops.next();
            CompletableFuture<Thread> loopThread = new CompletableFuture<>();
            loop.execute(() -> loopThread.complete(Thread.currentThread()));
            loop.execute(() -> {
                throw new InternalError("fatal on the client's loop (expected by the test)");
            });

            assertThatThrownBy(call::join).hasCauseInstanceOf(RpcConnectionException.class)
                    .hasMessageContaining("was lost while calling");
            assertThat(loop.awaitTermination(10, TimeUnit.SECONDS)).as("the loop ended").isTrue();
            // its thread then rethrows the error and dies: wait for that here, so that the error does
            // not reach a later await() (Awaitility reports other threads' uncaught exceptions)
            loopThread.join().join(TimeUnit.SECONDS.toMillis(10));
            assertThat(loopThread.join().isAlive()).as("the loop's thread ended").isFalse();
            assertThat(client.inFlight()).isZero();
        } finally {
            release.countDown();
            clientLoops.close();
        }
    }
}
