package io.rpcboot.autoconfigure;

import org.jspecify.annotations.Nullable;

/** {@code rpc.client.ssl.*}: the client's TLS, and the defaults of references with their own bundle. */
public class RpcClientSslProperties extends RpcSslProperties {

    /** The name expected in the server's certificate (and sent as SNI); empty means the host connected to. */
    private String serverName = "";

    /** Whether the server's certificate must name the server. Turn off only for tests. */
    private boolean verifyHostname = true;

    public String getServerName() {
        return serverName;
    }

    public void setServerName(String serverName) {
        this.serverName = serverName;
    }

    public @Nullable String serverNameOrNull() {
        return serverName.isBlank() ? null : serverName;
    }

    public boolean isVerifyHostname() {
        return verifyHostname;
    }

    public void setVerifyHostname(boolean verifyHostname) {
        this.verifyHostname = verifyHostname;
    }
}
