package io.rpcboot.core.client;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.internal.protocol.Frame;
import org.jspecify.annotations.Nullable;

/**
 * How the outcome of an {@link Invocation} reaches its caller, one of two ways:
 *
 * <pre>
 *  async caller ─► {@link FutureCompletion}: the proxy returns it at once; the outcome completes it
 *  sync caller  ─► {@link ParkedCaller}: the caller parks on its own thread until the outcome is
 *                  handed over, enforces the deadline itself, and decodes an OK response itself
 * </pre>
 *
 * Exactly one of {@link #succeeded}, {@link #answered} and {@link #failed} is called, exactly once,
 * by whichever thread decided the outcome (an event loop, a connector thread, or the caller).
 */
interface CallCompletion {

    /**
     * Whether the caller waits on its own thread: then no deadline timer is set for it (it watches
     * the deadline itself) and an OK response is handed over undecoded, see {@link #answered}.
     */
    boolean callerWaits();

    /** The call succeeded with {@code value}. */
    void succeeded(@Nullable Object value);

    /**
     * The call was answered OK; the caller decodes {@code response} and releases it. Only when
     * {@link #callerWaits()} and the method has a result.
     */
    void answered(Frame response, Endpoint from);

    /** The call failed. */
    void failed(RpcException failure);
}
