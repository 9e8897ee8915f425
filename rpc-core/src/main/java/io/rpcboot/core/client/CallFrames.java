package io.rpcboot.core.client;

import java.util.Map;

import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.SerializationException;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.protocol.ErrorBody;
import io.rpcboot.core.internal.protocol.ExceptionCodec;
import io.rpcboot.core.serialize.BinaryReader;
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

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CallFrames.class);

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
        return request(codec, FrameType.REQUEST, reference, method, args, requestId, deadlineMillis, metadata, limits);
    }

    /** A request or a one-way frame ({@code type}); as {@link #request(FrameCodec, Reference, ClientMethod, Object[], long, long, Map, PeerLimits)}. */
    static PooledBuffer request(FrameCodec codec, FrameType type, Reference<?> reference, ClientMethod method,
                                Object[] args, long requestId, long deadlineMillis, Map<String, String> metadata,
                                PeerLimits limits) {
        FrameBuilder b = codec.start(type, requestId, reference.serialization.id(), RpcStatus.OK)
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
    static RpcRemoteException error(Frame response, ClientMethod method, Endpoint from, ExceptionCodec exceptions,
                                    io.micrometer.core.instrument.Counter refusedDetails) {
        RpcStatus status = response.status();
        ErrorBody error;
        BinaryReader in = response.bodyReader();
        try {
            error = ErrorBody.readFrom(in);
        } catch (SerializationException e) {
            error = new ErrorBody(status.name(), "(the error body could not be read)");
            in = null;
        }
        Throwable thrown = null;
        if (status == RpcStatus.SERVICE_ERROR && in != null) {
            try {
                thrown = exceptions.decode(in);
            } catch (SerializationException e) { // over a limit, or malformed: the error stays an RpcRemoteException
                refusedDetails.increment();
                log.debug("the details of {} from {} could not be read: {}", error.type(), from.address, e.toString());
            }
        }
        return new RpcRemoteException(status, error.type(), error.message(), method.describe() + " on " + from.address,
                thrown);
    }

    /**
     * What the caller of {@code method} gets for {@code failure}: the provider's exception as itself
     * when the client rebuilt it (for a synchronous method, only if it is unchecked or declared),
     * with the {@link RpcRemoteException} among its suppressed exceptions and, when the provider
     * sent no stack frames, the caller's; otherwise {@code failure}.
     */
    static Throwable delivered(Throwable failure, ClientMethod method) {
        if (!(failure instanceof RpcRemoteException remote) || remote.providerException() == null) {
            return failure;
        }
        Throwable thrown = remote.providerException();
        if (!method.async && !(thrown instanceof RuntimeException) && !(thrown instanceof Error)
                && !method.rpcMethod.declares(thrown)) {
            return failure;
        }
        if (thrown.getStackTrace().length == 0) {
            thrown.setStackTrace(new Throwable().getStackTrace());
        }
        remote.setStackTrace(new StackTraceElement[0]);
        thrown.addSuppressed(remote);
        return thrown;
    }

}
