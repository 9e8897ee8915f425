package io.rpcboot.core.rpc;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.rpcboot.core.RpcConnectionException;
import io.rpcboot.core.RpcNoInstanceException;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.rpc.TestServices.Echo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** A consumer pointed at a web port: the message says so, and that the call did not run. */
@Timeout(30)
class ForeignPeerTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    @Test
    void aWebServerOnTheAddressIsNamedAndTheCallDidNotRun() throws Exception {
        try (ServerSocket web = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> {
                while (!web.isClosed()) {
                    try (Socket s = web.accept()) { // as a web server answers bytes it cannot parse
                        s.getInputStream().read(new byte[256]);
                        OutputStream out = s.getOutputStream();
                        out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "fake-web-server");
            answering.setDaemon(true);
            answering.start();
            Echo echo = fixture.client().create(ReferenceConfig.builder(Echo.class)
                    .urls(List.of("127.0.0.1:" + web.getLocalPort())).build());
            assertThatExceptionOfType(RpcNoInstanceException.class).isThrownBy(echo::whoAmI)
                    .withMessageContaining("tried its only instance")
                    .havingCause().isInstanceOf(RpcConnectionException.class)
                    .withMessageContaining("does not speak the rpc-boot protocol, so")
                    .withMessageContaining("did not run there")
                    .withMessageContaining("the peer answered in HTTP, not the rpc-boot protocol: this address is a web"
                            + " port (such as server.port), not an rpc port (rpc.server.port)")
                    .satisfies(e -> assertThat(((RpcConnectionException) e).mayHaveRun()).isFalse());
        }
    }
}
