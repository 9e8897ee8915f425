package io.rpcboot.core.rpc;

import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The transport contract over TCP: the server announces its host and port. */
class TcpTransportContractTests extends TransportContract {

    @Override
    ServerConfig.Transport transport() {
        return ServerConfig.Transport.TCP;
    }

    @Test
    void theServerAnnouncesItsTcpPort() {
        RpcServer server = server();
        assertThat(fixture.registry.instances(ServiceKey.of(Contract.class))).extracting(ServiceInstance::address)
                .containsExactly("127.0.0.1:" + server.port());
    }
}
