package io.rpcboot.core.server;

import java.net.InetSocketAddress;

import io.rpcboot.core.testing.TestCertificates;
import io.rpcboot.core.tls.TlsConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WARN a server logs when it listens beyond this machine without TLS or authentication. Tests bind
 * loopback only, so the rule is checked on addresses, not on bound sockets.
 */
class OpenPortWarningTests {

    private static final TestCertificates CA = TestCertificates.authority("warning test CA");
    private static final InetSocketAddress ALL = new InetSocketAddress("0.0.0.0", 7070);
    private static final InetSocketAddress LAN = new InetSocketAddress("10.1.2.3", 7070);
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 7070);

    private static TlsConfig tls(TlsConfig.ClientAuth auth) {
        return TlsConfig.builder(TestCertificates.context(CA.server("p"), CA)).clientAuth(auth).build();
    }

    @Test
    void anOpenPortWithNeitherSaysBothAndHowToTurnThemOn() {
        assertThat(RpcServer.openPortWarning(ALL, null, false))
                .contains("without TLS or authentication")
                .contains("read or change what is sent")
                .contains("rpc.server.host").contains("rpc.server.ssl.bundle").contains("rpc.server.auth.tokens");
        assertThat(RpcServer.openPortWarning(LAN, null, false)).contains("10.1.2.3:7070");
    }

    @Test
    void eachMissingHalfIsNamed() {
        assertThat(RpcServer.openPortWarning(ALL, null, true)).contains("without TLS:")
                .doesNotContain("authentication (");
        assertThat(RpcServer.openPortWarning(ALL, tls(TlsConfig.ClientAuth.NONE), false))
                .contains("without authentication:").doesNotContain("read or change");
    }

    @Test
    void nothingOnLoopbackOrWithTlsAndAuthentication() {
        assertThat(RpcServer.openPortWarning(LOOPBACK, null, false)).isNull();
        assertThat(RpcServer.openPortWarning(ALL, tls(TlsConfig.ClientAuth.NONE), true)).isNull();
        assertThat(RpcServer.openPortWarning(ALL, tls(TlsConfig.ClientAuth.NEED), false))
                .as("required client certificates authenticate").isNull();
    }
}
