package io.rpcboot.core.server;

import java.nio.ByteBuffer;

import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.metrics.Meters;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.transport.Connection;

/**
 * A protocol the server's port speaks besides rpc-boot frames (port unification): the first byte of
 * a connection chooses, frames being the default. Each protocol turns what its clients send into
 * request frames for the {@link RequestDispatcher}, and the dispatcher's response frames into its
 * own answers, so that every call meets the same limits, interceptors, authentication, metrics and
 * draining whatever it came in. {@link HttpGateway} (HTTP/1.1 and JSON) is the one built in.
 *
 * <p>Internal for now: the contract is in terms of frames and the dispatcher's {@link CallSource},
 * which are not API.
 */
interface ServerProtocol {

    /** The {@code protocol} tag of its calls' meters. */
    String name();

    /** Whether a connection whose first byte is {@code first} speaks this protocol; never for a frame's magic. */
    boolean recognizes(byte first);

    /** The protocol's side of a new connection, on the connection's loop. */
    Session open(ServerConnection owner, Connection connection);

    /** One connection that speaks the protocol. Loop-thread callbacks, unless a method says otherwise. */
    interface Session {

        void onData(ByteBuffer data);

        /** Any thread: the dispatcher's response frame to a call of this connection. Takes ownership of {@code frame}. */
        void respond(PooledBuffer frame);

        /** Any thread: the server is draining or out of service; send new calls elsewhere. */
        void draining();

        void writabilityChanged(boolean writable);

        /** Whether a call of this connection awaits its answer (the connection is then not idle). */
        boolean serving();

        /** The connection closed; release what the session holds. */
        void closed();

        /** The timers its calls are counted in. */
        Meters.CallTimers timers(ProvidedMethod method);

        /** What the dispatcher builds its answers with. */
        FrameCodec responseCodec(FrameCodec server);
    }
}
