package io.rpcboot.core.rpc;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.rpcboot.core.testing.TestResources;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(300)
class ConcurrencyTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    @Test
    void sixtyFourThreadsOfTenThousandCallsEachGetTheirOwnAnswers() {
        BufferPool serverPool = BufferPool.createDefault();
        fixture.server(b -> b.resources(TestResources.parts(serverPool).build()).service(Echo.class, new NamedEcho("a", 0)));
        RpcClient client = fixture.client();
        Echo echo = client.create(Echo.class);
        AtomicInteger mismatches = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        List<CompletableFuture<Void>> threads = new ArrayList<>();
        for (int t = 0; t < 64; t++) {
            long seed = t;
            threads.add(CompletableFuture.runAsync(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                for (int i = 0; i < 10_000; i++) {
                    byte[] payload = new byte[1 + random.nextInt(random.nextInt(8) == 0 ? 4096 : 64)];
                    for (int j = 0; j < payload.length; j++) {
                        payload[j] = (byte) random.nextInt();
                    }
                    if (!java.util.Arrays.equals(echo.echo(payload), payload)) {
                        mismatches.incrementAndGet();
                    }
                    calls.incrementAndGet();
                }
            }, r -> new Thread(r).start()));
        }
        threads.forEach(CompletableFuture::join);

        assertThat(calls).hasValue(640_000);
        assertThat(mismatches).hasValue(0);
        assertThat(client.inFlight()).isZero();
        org.awaitility.Awaitility.await().until(() -> serverPool.inUse() == 0);
    }
}
