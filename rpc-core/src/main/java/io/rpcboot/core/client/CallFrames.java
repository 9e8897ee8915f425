package io.rpcboot.core.client;

import java.util.Map;

import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.SerializationException;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.protocol.ErrorBody;
import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.protocol.FrameBuilder;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.protocol.FrameType;
import io.rpcboot.core.internal.protocol.Headers;
import org.jspecify.annotations.Nullable;

/**
 * A call's bytes: the request frame of one attempt, and what a response frame says (a result, or
 * the provider's error as an {@link RpcRemoteException}). Which of those ends the call and which
 * sends it elsewhere is {@link Invocation}'s business. Stateless; any thread.
 */
final class CallFrames {

    private CallFrames() {
    }

    /**
     * The request frame of one attempt.
     *
     * @param deadlineMillis the absolute deadline in epoch milliseconds, as the provider reads it
     * @throws RuntimeException from a codec (a {@link SerializationException}, a frame over the
     *                          limit, or a bug), or metadata over the header budget; nothing is left
     *                          allocated then
     */
    static PooledBuffer request(FrameCodec codec, Reference<?> reference, ClientMethod method, Object[] args,
                                long requestId, long deadlineMillis, Map<String, String> metadata, PeerLimits limits) {
        FrameBuilder b = codec.start(FrameType.REQUEST, requestId, reference.serialization.id(), RpcStatus.OK)
                .header(Headers.SERVICE, reference.key.interfaceName()).header(Headers.METHOD, method.signature);
        if (!reference.key.version().isEmpty()) {
            b.header(Headers.VERSION, reference.key.version());
        }
        if (!reference.key.group().isEmpty()) {
            b.header(Headers.GROUP, reference.key.group());
        }
        b.header(Headers.DEADLINE, deadlineMillis);
        try {
            b.metadata(metadata, limits);
            for (int i = 0; i < args.length; i++) {
                method.parameterCodecs[i].write(b.body(), args[i]);
            }
            return b.finish();
        } catch (RuntimeException e) {
            b.discard();
            throw e;
        }
    }

    /** The result an OK response carries; null for a void method. The caller releases the frame. */
    static @Nullable Object result(ClientMethod method, Frame ok) {
        return method.resultCodec == null ? null : method.resultCodec.read(ok.bodyReader());
    }

    /** The provider's error in a response that is not OK. The caller releases the frame. */
    static RpcRemoteException error(Frame response, ClientMethod method, Endpoint from) {
        RpcStatus status = response.status();
        ErrorBody error;
        try {
            error = ErrorBody.readFrom(response.bodyReader());
        } catch (SerializationException e) {
            error = new ErrorBody(status.name(), "(the error body could not be read)");
        }
        return new RpcRemoteException(status, error.type(), error.message(), method.describe() + " on " + from.address);
    }
}
