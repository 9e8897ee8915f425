package io.rpcboot.core.intercept;

import java.net.SocketAddress;
import java.util.Map;
import java.util.OptionalLong;

import io.rpcboot.core.RpcMethod;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.tls.TlsPeer;
import org.jspecify.annotations.Nullable;

/** A call as the server's interceptors see it. Belongs to one call. */
public interface ServerCall {

    /** The service called: interface, version and group. */
    ServiceKey service();

    RpcMethod method();

    /** The decoded arguments; an interceptor may replace elements before it proceeds. */
    @Nullable Object[] arguments();

    /** The metadata the client sent (read-only). */
    Map<String, String> metadata();

    /** The caller's absolute deadline, epoch milliseconds, if it sent one. */
    OptionalLong deadlineMillis();

    /** The client's address. */
    @Nullable SocketAddress remoteAddress();

    /**
     * What the TLS handshake said about the client (protocol, cipher suite, the certificate chain it
     * presented); null on a plaintext connection.
     */
    @Nullable TlsPeer tlsPeer();

    /**
     * Values interceptors hand to each other and to later stages (an authenticated principal, for
     * example); empty at first, mutable.
     */
    Map<String, Object> attributes();
}
