package io.rpcboot.core.internal.transport;

import java.nio.ByteBuffer;

/**
 * Callbacks for one {@link Connection}. All of them run on the connection's event loop thread, one
 * at a time, in this order: {@code onConnected} once, then any number of {@code onData},
 * {@code onWritabilityChanged} and {@code onIdle}, then {@code onClosed} exactly once.
 *
 * <p>An exception thrown by any callback but {@code onClosed} is logged and closes the connection
 * with a reason naming the failure; other connections are not affected.
 */
public interface ConnectionHandler {

    /** The connection is registered and ready: reads will follow, writes may start. */
    default void onConnected(Connection connection) throws Exception {
    }

    /**
     * Bytes arrived, in order. {@code data} is readable between its position and limit and is valid
     * only during this call: the connection reuses its memory afterwards. Copy what must be kept.
     */
    void onData(Connection connection, ByteBuffer data) throws Exception;

    /**
     * Writability changed: queued outbound bytes crossed the high water mark ({@code writable} false)
     * or drained below the low water mark ({@code writable} true). Calls alternate false, true,
     * false..., one per flip, in order; by the time a call runs, {@link Connection#isWritable()} may
     * already have moved on, and the next call will say so.
     */
    default void onWritabilityChanged(Connection connection, boolean writable) throws Exception {
    }

    /**
     * Nothing was read or written for the configured idle timeout. The default closes the
     * connection; a handler may instead send a heartbeat. Called again after each further timeout.
     */
    default void onIdle(Connection connection) throws Exception {
        connection.close("idle for " + connection.idleTimeout().toMillis() + " ms");
    }

    /**
     * The connection is closed, for {@code reason}; its queued buffers are already released.
     * Called exactly once, and only after {@link #onConnected}.
     */
    default void onClosed(Connection connection, String reason) {
    }
}
