package io.rpcboot.core.internal.transport;

import java.nio.ByteBuffer;

import io.rpcboot.core.internal.buffer.PooledBuffer;

/** Writes every byte back; stops reading while its own connection is not writable. */
class EchoHandler implements ConnectionHandler {

    @Override
    public void onData(Connection connection, ByteBuffer data) {
        PooledBuffer copy = connection.bufferPool().acquire(data.remaining());
        copy.buffer().put(data).flip();
        connection.write(copy);
        if (!connection.isWritable()) {
            connection.setReadEnabled(false);
        }
    }

    @Override
    public void onWritabilityChanged(Connection connection, boolean writable) {
        if (writable) {
            connection.setReadEnabled(true);
        }
    }
}
