package io.rpcboot.core.rpc;

import io.micrometer.core.instrument.Counter;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.metrics.RpcMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A retry with no other instance to go to is not one: the caller gets the failure, the budget is untouched. */
@Timeout(30)
class RetryWithNowhereToGoTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    public interface Clock {
        long now();
    }

    @Test
    void anIdempotentCallToItsOnlyInstanceFailsWithItsOwnFailureAndSpendsNoRetry() {
        // every answer INTERNAL (a result its serialization cannot write): "may have run"
        fixture.server(b -> b.service(Clock.class, () -> 1L).interceptor(chain -> chain.proceed().thenApply(v -> "x")));
        RpcMetrics metrics = RpcMetrics.simple();
        Clock clock = fixture.client(ClientConfig.builder().ioThreads(1), metrics)
                .create(ReferenceConfig.builder(Clock.class).idempotent(true).retries(2).build());
        for (int i = 0; i < 20; i++) {
            assertThat(catchThrowable(clock::now)).isInstanceOfSatisfying(RpcRemoteException.class,
                    e -> assertThat(e.status()).isEqualTo(RpcStatus.INTERNAL));
        }
        double retries = metrics.registry().find("rpc.client.retries").counters().stream().mapToDouble(Counter::count).sum();
        assertThat(retries).as("retried or refused by the budget").isZero();
    }
}
