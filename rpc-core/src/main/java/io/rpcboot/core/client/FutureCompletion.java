package io.rpcboot.core.client;

import java.util.concurrent.CompletableFuture;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.internal.protocol.Frame;
import org.jspecify.annotations.Nullable;

/**
 * The completion of an asynchronous call: the future the proxy returns, completed by whichever
 * thread decides the outcome (dependent stages run there, or where the caller says). The future is
 * the completion itself, so an asynchronous call allocates nothing more for it.
 */
final class FutureCompletion extends CompletableFuture<Object> implements CallCompletion {

    /** The method whose caller gets this future, or null when interceptors get it first (they see the failure as it is). */
    private final @Nullable ClientMethod caller;

    FutureCompletion(@Nullable ClientMethod caller) {
        this.caller = caller;
    }

    @Override
    public boolean callerWaits() {
        return false;
    }

    @Override
    public void succeeded(@Nullable Object value) {
        complete(value);
    }

    @Override
    public void answered(Frame response, Endpoint from) {
        throw new IllegalStateException("an asynchronous call's result is decoded where it arrives");
    }

    @Override
    public void failed(RpcException failure) {
        completeExceptionally(caller == null ? failure : CallFrames.delivered(failure, caller));
    }
}
