package io.rpcboot.core.internal.transport;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.rpcboot.core.internal.buffer.PooledBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Timeout(120)
class TcpEchoTests {

    @RegisterExtension
    final TransportFixture fixture = new TransportFixture();

    @Test
    void hundredConcurrentClientsGetEveryByteBackInOrder() throws Exception {
        TcpServer server = fixture.server(TransportConfig.DEFAULTS, EchoHandler::new);
        TcpClient client = fixture.client(TransportConfig.DEFAULTS);
        int clients = 100;
        int messagesPerClient = 3;
        long seed = new Random().nextLong();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Random random = new Random(seed + i);
                runs.add(CompletableFuture.runAsync(() -> echoOnce(server, client, random, messagesPerClient), senders));
            }
            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).join();
        } finally {
            senders.shutdown();
        }
        assertThat(server.acceptedConnections()).as("seed %d", seed).isEqualTo(clients);
        client.close();
        await().until(() -> server.openConnections() == 0 && fixture.pool.inUse() == 0);
    }

    /** One client: random-sized messages (1 B .. 256 KiB) written in random fragments, read back whole. */
    private void echoOnce(TcpServer server, TcpClient client, Random random, int messages) {
        Recorder recorder = new Recorder(true);
        Connection connection = fixture.connect(client, server, recorder);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        for (int m = 0; m < messages; m++) {
            byte[] message = new byte[1 + random.nextInt(256 * 1024)];
            random.nextBytes(message);
            sent.writeBytes(message);
            int offset = 0;
            while (offset < message.length) {
                int n = Math.min(message.length - offset, 1 + random.nextInt(random.nextBoolean() ? 64 : 32 * 1024));
                PooledBuffer fragment = fixture.pool.acquire(n);
                fragment.buffer().put(message, offset, n).flip();
                assertThat(connection.write(fragment)).isTrue();
                offset += n;
            }
        }
        byte[] expected = sent.toByteArray();
        await().until(() -> recorder.receivedBytes.get() >= expected.length);
        assertThat(recorder.received()).isEqualTo(expected);
        connection.close("done");
        recorder.closed.join();
    }
}
