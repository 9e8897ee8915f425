package io.rpcboot.core.internal.transport;

import java.util.concurrent.CompletableFuture;

import io.rpcboot.core.internal.buffer.PooledBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Timeout(60)
class BackPressureTests {

    private static final int LOW = 16 * 1024;
    private static final int HIGH = 64 * 1024;
    private static final int CHUNK = 4 * 1024;
    /** Upper bound on what the writer may push before it must see back-pressure. */
    private static final long WRITE_CAP = 64L * 1024 * 1024;

    @RegisterExtension
    final TransportFixture fixture = new TransportFixture();

    private final TransportConfig config = TransportConfig.builder()
            .waterMarks(LOW, HIGH).socketBuffers(8 * 1024, 8 * 1024).build();

    @Test
    void writerTurnsNotWritableAtTheHighWaterMarkAndBackWhenTheReaderResumes() {
        CompletableFuture<Connection> serverSide = new CompletableFuture<>();
        Recorder reader = new Recorder(false) {
            @Override
            public void onConnected(Connection connection) {
                connection.setReadEnabled(false); // the reader stops reading
                serverSide.complete(connection);
            }
        };
        TcpServer server = fixture.server(config, () -> reader);
        Recorder writerEvents = new Recorder(false);
        Connection writer = fixture.connect(fixture.client(config), server, writerEvents);
        serverSide.join();

        long written = 0;
        long maxPending = 0;
        while (writer.isWritable() && written < WRITE_CAP) {
            writer.write(chunk());
            written += CHUNK;
            maxPending = Math.max(maxPending, writer.pendingWriteBytes());
        }
        assertThat(writer.isWritable()).as("not writable after %d bytes", written).isFalse();
        assertThat(maxPending).as("queued memory is bounded by the high water mark").isLessThanOrEqualTo(HIGH + CHUNK);
        await().until(() -> writerEvents.writability.contains(false));
        assertThat(writer.pendingWriteBytes()).isLessThanOrEqualTo(HIGH + CHUNK);

        serverSide.join().setReadEnabled(true);

        await().until(writer::isWritable);
        await().until(() -> writerEvents.writability.contains(true));
        assertThat(writerEvents.writability).containsExactly(false, true);
        long total = written;
        await().until(() -> reader.receivedBytes.get() == total);
        assertThat(writer.pendingWriteBytes()).isZero();
    }

    @Test
    void concurrentWritersSeeWritabilityAlternateAndEndWritable() {
        TcpServer server = fixture.server(config, () -> new Recorder(false));
        Recorder writerEvents = new Recorder(false);
        Connection writer = fixture.connect(fixture.client(config), server, writerEvents);
        int threads = 4;
        int chunksPerThread = 2_000; // 8 MiB per thread, bounded
        java.util.List<CompletableFuture<Void>> writers = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < chunksPerThread; i++) {
                    while (!writer.isWritable()) {
                        Thread.onSpinWait(); // a producer that honours back-pressure
                    }
                    writer.write(chunk());
                }
            }, r -> new Thread(r).start()));
        }
        writers.forEach(CompletableFuture::join);

        await().until(() -> writer.pendingWriteBytes() == 0);
        await().until(writer::isWritable);
        // the events, in order, alternate false, true, false, true ... and end on true
        Boolean[] events = writerEvents.writability.toArray(Boolean[]::new);
        assertThat(events).isNotEmpty();
        for (int i = 0; i < events.length; i++) {
            assertThat(events[i]).as("event %d of %d", i, events.length).isEqualTo(i % 2 == 1);
        }
        await().until(() -> writerEvents.writability.size() % 2 == 0);
    }

    @Test
    void closingReleasesEveryQueuedBuffer() {
        Recorder reader = new Recorder(false) {
            @Override
            public void onConnected(Connection connection) {
                connection.setReadEnabled(false);
            }
        };
        TcpServer server = fixture.server(config, () -> reader);
        Recorder writerEvents = new Recorder(false);
        Connection writer = fixture.connect(fixture.client(config), server, writerEvents);
        for (int i = 0; i < 256; i++) { // 1 MiB, far past what the sockets hold: most stays queued
            writer.write(chunk());
        }
        assertThat(writer.pendingWriteBytes()).isGreaterThan(HIGH);
        assertThat(fixture.pool.inUse()).isPositive();

        writer.close("giving up");

        assertThat(writerEvents.closed.join()).isEqualTo("giving up");
        await().until(() -> fixture.pool.inUse() == 0);
        assertThat(writer.write(chunk())).as("a write after close is refused and released").isFalse();
        assertThat(fixture.pool.inUse()).isZero();
    }

    private PooledBuffer chunk() {
        PooledBuffer b = fixture.pool.acquire(CHUNK);
        b.buffer().position(CHUNK).flip();
        return b;
    }
}
