package io.rpcboot.autoconfigure;

import io.rpcboot.core.tls.TlsConfig;

/** {@code rpc.server.ssl.*}: the server's TLS. */
public class RpcServerSslProperties extends RpcSslProperties {

    /**
     * Whether clients must present a certificate the bundle's trust store trusts (need: mutual TLS),
     * may present one (want), or are not asked (none).
     */
    private TlsConfig.ClientAuth clientAuth = TlsConfig.ClientAuth.NONE;

    public TlsConfig.ClientAuth getClientAuth() {
        return clientAuth;
    }

    public void setClientAuth(TlsConfig.ClientAuth clientAuth) {
        this.clientAuth = clientAuth;
    }
}
