/**
 * TLS for servers and clients: {@link io.rpcboot.core.tls.TlsConfig} says which {@code SSLContext} to
 * use (asked again for every new connection, so a rotated certificate takes effect without a restart),
 * which protocols and cipher suites, whether the server asks for client certificates, the name a client
 * expects in the server's certificate, and the budgets of a handshake. The transport runs the JDK's
 * {@code SSLEngine} on its own event loops; {@link io.rpcboot.core.tls.TlsPeer} is what a finished
 * handshake tells the server about its client.
 */
@NullMarked
package io.rpcboot.core.tls;

import org.jspecify.annotations.NullMarked;
