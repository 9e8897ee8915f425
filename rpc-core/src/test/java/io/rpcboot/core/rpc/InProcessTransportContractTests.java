package io.rpcboot.core.rpc;

import java.net.UnixDomainSocketAddress;

import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The transport contract in process: no TCP port; the server is reached through its socket in this JVM. */
class InProcessTransportContractTests extends TransportContract {

    @Override
    ServerConfig.Transport transport() {
        return ServerConfig.Transport.IN_PROCESS;
    }

    @Test
    void noTcpPortIsOpened() {
        RpcServer server = server();
        assertThat(server.inProcess()).isTrue();
        assertThat(server.address()).isInstanceOf(UnixDomainSocketAddress.class);
        assertThat(fixture.registry.instances(ServiceKey.of(Contract.class))).singleElement()
                .satisfies(i -> assertThat(i.host()).isEqualTo("in-process"));
    }
}
