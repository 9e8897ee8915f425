package io.rpcboot.core.server;

import java.net.SocketAddress;

import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.metrics.Meters;
import io.rpcboot.core.tls.TlsPeer;
import org.jspecify.annotations.Nullable;

/**
 * Where a request came from, as the {@link RequestDispatcher} sees it: a client connection (rpc-boot
 * frames or HTTP, {@link ServerConnection}) or a datagram ({@link UdpEndpoint}). It admits calls
 * against its own limits, takes the answers, and names the timers its calls are counted in.
 */
interface CallSource {

    /** One more call from here, or false when this source has as many in flight as it may. */
    boolean admitCall();

    /** A call {@link #admitCall() admitted} ended. */
    void callEnded();

    /** Counts an exceeded limit that the server answers. */
    void limitExceeded(String reason);

    /** Closes what the calls came on (any thread, idempotent); nothing for a datagram. */
    void close(String reason);

    /** Whether an answer can still reach the caller (a datagram's sender is never answered: true). */
    boolean isOpen();

    @Nullable TlsPeer tlsPeer();

    @Nullable SocketAddress remoteAddress();

    /** The method last resolved for exactly these header strings (the same instances), or null. */
    @Nullable ProvidedMethod lastMethod(String service, @Nullable String version, @Nullable String group, String signature);

    void rememberMethod(String service, @Nullable String version, @Nullable String group, String signature,
                        ProvidedMethod method);

    /** Any thread. Takes ownership of {@code frame}; false if it cannot be sent. */
    boolean send(PooledBuffer frame);

    /** The timers of {@code method} that calls from here are counted in (their {@code protocol} tag). */
    Meters.CallTimers timers(ProvidedMethod method);

    /** What answers to calls from here are built with: the server's codec, unless the source reads them back at once. */
    default io.rpcboot.core.internal.protocol.FrameCodec responseCodec(io.rpcboot.core.internal.protocol.FrameCodec server) {
        return server;
    }
}
