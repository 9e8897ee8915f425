package io.rpcboot.core.internal.reactor;

/**
 * Reacts to readiness of one channel registered with an {@link EventLoop}. Every method runs on that
 * loop's thread, never concurrently with another method of the same handler.
 */
public interface IoHandler {

    /**
     * The channel is ready for {@code readyOps} (a mask of {@link java.nio.channels.SelectionKey} ops).
     * Called once per selection in which the channel is ready.
     *
     * @throws Exception anything thrown is logged by the loop, which then calls {@link #handleFailure}
     */
    void handleReady(IoRegistration registration, int readyOps) throws Exception;

    /**
     * {@link #handleReady} threw. The default cancels the registration and closes the channel; a
     * handler that owns more resources overrides it to release them. Called at most once per failure.
     */
    default void handleFailure(IoRegistration registration, Throwable failure) {
        registration.cancelAndClose();
    }

    /**
     * The loop is stopping while this channel is still registered. The loop closes the channel right
     * after this call; a handler releases what it owns here. Called at most once.
     */
    default void handleLoopStopped(IoRegistration registration) {
    }
}
