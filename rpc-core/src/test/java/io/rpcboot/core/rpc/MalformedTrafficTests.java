package io.rpcboot.core.rpc;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.rpc.TestServices.Echo;
import io.rpcboot.core.rpc.TestServices.NamedEcho;
import io.rpcboot.core.server.RpcServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Timeout(60)
class MalformedTrafficTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    @Test
    void garbageClosesOnlyItsOwnConnectionAndIsCounted() throws Exception {
        RpcMetrics metrics = RpcMetrics.simple();
        RpcServer server = fixture.server(metrics, b -> b.service(Echo.class, new NamedEcho("ok", 0)));
        RpcClient client = fixture.client();
        Echo echo = client.create(Echo.class);
        assertThat(echo.whoAmI()).isEqualTo("ok");

        try (Socket rogue = new Socket("127.0.0.1", server.port())) {
            rogue.getOutputStream().write("hello, server\r\n\r\n".getBytes(StandardCharsets.US_ASCII)); // neither frames nor HTTP
            InputStream in = rogue.getInputStream();
            assertThat(in.read()).as("the server closes the rogue connection").isEqualTo(-1);
        }
        await().until(() -> metrics.registry().get("rpc.frames.malformed").tag("side", "server").counter().count() == 1);
        assertThat(echo.whoAmI()).isEqualTo("ok");
        assertThat(server.openConnections()).isEqualTo(client.poolStats().values().iterator().next().connections());
    }
}
