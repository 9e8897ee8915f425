package io.rpcboot.core.internal.transport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A handler that keeps what it sees, for assertions. Callbacks run on the connection's loop. */
class Recorder implements ConnectionHandler {

    final CompletableFuture<Connection> connected = new CompletableFuture<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    final AtomicInteger closedCalls = new AtomicInteger();
    final AtomicLong receivedBytes = new AtomicLong();
    final ConcurrentLinkedQueue<Boolean> writability = new ConcurrentLinkedQueue<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final boolean keepBytes;

    Recorder(boolean keepBytes) {
        this.keepBytes = keepBytes;
    }

    @Override
    public void onConnected(Connection connection) {
        connected.complete(connection);
    }

    @Override
    public void onData(Connection connection, ByteBuffer data) throws Exception {
        int n = data.remaining();
        if (keepBytes) {
            byte[] copy = new byte[n];
            data.get(copy);
            synchronized (received) {
                received.write(copy);
            }
        } else {
            data.position(data.limit());
        }
        receivedBytes.addAndGet(n);
    }

    @Override
    public void onWritabilityChanged(Connection connection, boolean writable) {
        writability.add(writable);
    }

    @Override
    public void onClosed(Connection connection, String reason) {
        closedCalls.incrementAndGet();
        closed.complete(reason);
    }

    byte[] received() {
        synchronized (received) {
            return received.toByteArray();
        }
    }
}
