package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.ConnectionPoolStats;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A frame over a limit fails only its own call, with a message naming the property to raise; the
 * connection it would have travelled on, and the calls sharing it, carry on.
 */
@Timeout(120)
class FrameLimitTests {

    private static final int TWENTY_MB = 20 * 1000 * 1000;

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    public interface Blobs {
        byte[] blob(int size);

        CompletableFuture<byte[]> blobLater(int size);

        int length(byte[] data);
    }

    static final class Store implements Blobs {
        @Override
        public byte[] blob(int size) {
            return new byte[size];
        }

        @Override
        public CompletableFuture<byte[]> blobLater(int size) {
            return CompletableFuture.completedFuture(new byte[size]);
        }

        @Override
        public int length(byte[] data) {
            return data.length;
        }
    }

    private RpcClient clientOnOneConnection() {
        return fixture.client(ClientConfig.builder().ioThreads(1).connectionsPerEndpoint(1)
                .timeout(Duration.ofSeconds(30)));
    }

    private static ServerConfig.Builder server(int maxFrameSize) {
        return ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1).workerThreads(8).maxFrameSize(maxFrameSize);
    }

    /** Small calls sent while the big one is on its way, all on the one connection. */
    private static void smallCallsSucceedAround(Blobs blobs, Runnable big) throws Exception {
        List<CompletableFuture<byte[]>> small = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            small.add(blobs.blobLater(16));
        }
        big.run();
        for (int i = 0; i < 20; i++) {
            small.add(blobs.blobLater(16));
        }
        for (CompletableFuture<byte[]> f : small) {
            assertThat(f.get(30, TimeUnit.SECONDS)).hasSize(16);
        }
        assertThat(blobs.blob(8)).hasSize(8);
    }

    private static void stillOneConnection(RpcClient client) {
        ConnectionPoolStats pool = client.poolStats().values().iterator().next();
        assertThat(pool.created()).as("connections opened").isEqualTo(1);
        assertThat(pool.destroyed()).as("connections closed").isZero();
    }

    @Test
    void aResponseOverTheClientsLimitIsSkippedAndFailsOnlyItsCall() throws Exception {
        fixture.server(server(32 * 1024 * 1024), b -> b.service(Blobs.class, new Store())); // it may send 20 MB
        RpcClient client = clientOnOneConnection();
        Blobs blobs = client.create(Blobs.class);
        smallCallsSucceedAround(blobs, () -> {
            CompletableFuture<byte[]> big = blobs.blobLater(TWENTY_MB);
            Throwable failure = catchThrowable(() -> big.get(30, TimeUnit.SECONDS));
            assertThat(failure).cause().isInstanceOf(RpcException.class)
                    .hasMessageContaining("above this client's frame limit of 16777216 bytes (rpc.client.max-frame-size)")
                    .hasMessageContaining("it was skipped");
        });
        stillOneConnection(client);
    }

    @Test
    void aResultOverTheProvidersLimitIsAnsweredResourceExhaustedNamingTheProperty() throws Exception {
        fixture.server(server(16 * 1024 * 1024), b -> b.service(Blobs.class, new Store()));
        RpcClient client = clientOnOneConnection();
        Blobs blobs = client.create(Blobs.class);
        smallCallsSucceedAround(blobs, () -> assertThatExceptionOfType(RpcRemoteException.class)
                .isThrownBy(() -> blobs.blob(TWENTY_MB))
                .satisfies(e -> assertThat(e.status()).isEqualTo(RpcStatus.RESOURCE_EXHAUSTED))
                .withMessageContaining("above the provider's frame limit of 16777216 bytes; raise"
                        + " rpc.server.max-frame-size on the provider"));
        stillOneConnection(client);
    }

    @Test
    void aRequestOverTheClientsLimitIsNotSentAndFailsOnlyItsCall() throws Exception {
        fixture.server(server(32 * 1024 * 1024), b -> b.service(Blobs.class, new Store()));
        RpcClient client = clientOnOneConnection();
        Blobs blobs = client.create(Blobs.class);
        smallCallsSucceedAround(blobs, () -> assertThatExceptionOfType(RpcException.class)
                .isThrownBy(() -> blobs.length(new byte[TWENTY_MB]))
                .withMessageContaining("exceeds the limit of 16777216 bytes (rpc.client.max-frame-size)"));
        stillOneConnection(client);
    }
}
