package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.rpcboot.core.RpcNoInstanceException;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.OutlierDetection;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.metrics.RpcMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** An address that keeps failing is left out for a while, within a share of the instances. */
@Timeout(60)
class OutlierDetectionTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    public interface Probe {
        String who();
    }

    /** Answers with its name, counting the calls it gets; a black hole holds every call far past any deadline. */
    static final class Named implements Probe {
        final String name;
        final boolean blackHole;
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch never = new CountDownLatch(1);

        Named(String name, boolean blackHole) {
            this.name = name;
            this.blackHole = blackHole;
        }

        @Override
        public String who() {
            calls.incrementAndGet();
            if (blackHole) {
                try {
                    never.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return name;
        }
    }

    @Test
    void anInstanceThatTimesOutIsEjectedAndTheOthersTakeTheCalls() {
        Named healthy = new Named("a", false);
        Named other = new Named("b", false);
        Named hole = new Named("hole", true);
        for (Named n : new Named[] {healthy, other, hole}) {
            fixture.server(b -> b.service(Probe.class, n));
        }
        RpcMetrics metrics = RpcMetrics.simple();
        Probe probe = fixture.client(ClientConfig.builder().ioThreads(2)
                        .outlierDetection(new OutlierDetection(3, Duration.ofSeconds(30), Duration.ofMinutes(1), 50)),
                metrics).create(ReferenceConfig.builder(Probe.class).timeout(Duration.ofMillis(200)).build());
        int failures = 0;
        for (int i = 0; i < 60; i++) {
            Throwable t = catchThrowable(probe::who);
            if (t != null) {
                assertThat(t).isInstanceOf(RpcTimeoutException.class);
                failures++;
            }
        }
        assertThat(hole.calls.get()).as("calls the black hole got before it was ejected").isEqualTo(3);
        assertThat(failures).isEqualTo(3);
        int holeCalls = hole.calls.get();
        for (int i = 0; i < 60; i++) {
            assertThat(probe.who()).isIn("a", "b");
        }
        assertThat(hole.calls.get()).as("ejected: no more calls").isEqualTo(holeCalls);
        assertThat(metrics.registry().get("rpc.client.ejections").counter().count()).isEqualTo(1);
        hole.never.countDown();
    }

    @Test
    void noMoreThanTheShareOfInstancesIsLeftOut() {
        // both providers answer every call INTERNAL: the first to fail 3 times is ejected, the other
        // would be too, but half of two instances is one: it is still tried, never "no instance"
        for (int i = 0; i < 2; i++) {
            fixture.server(b -> b.service(Probe.class, new Named("x", false)).interceptor(chain -> chain.proceed()
                    .thenApply(v -> 42)));
        }
        Probe probe = fixture.client(ClientConfig.builder().ioThreads(2)
                        .outlierDetection(new OutlierDetection(3, Duration.ofSeconds(30), Duration.ofMinutes(1), 50)))
                .create(Probe.class);
        for (int i = 0; i < 40; i++) {
            Throwable t = catchThrowable(probe::who);
            assertThat(t).isNotInstanceOf(RpcNoInstanceException.class).isInstanceOfSatisfying(RpcRemoteException.class,
                    r -> assertThat(r.status()).isEqualTo(RpcStatus.INTERNAL));
        }
    }
}
