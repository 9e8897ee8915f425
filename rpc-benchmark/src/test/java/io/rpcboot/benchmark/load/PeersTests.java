package io.rpcboot.benchmark.load;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The benchmark's peers that are Boot applications or sweep the client's settings answer echoes
 * (the Boot ones also check that they publish Prometheus histograms), so a benchmark run cannot
 * measure a peer that does not work.
 */
@Timeout(120)
class PeersTests {

    @ParameterizedTest
    @ValueSource(strings = {"rpc-boot-spring", "rpc-boot-spring-defaults", "rpc-boot-defaults-client-1x2",
            "rpc-boot-defaults-client-2x4"})
    void echoes(String name) throws Exception {
        Peer peer = Peer.byName(name);
        assertThat(peer.name()).startsWith(name.startsWith("rpc-boot-spring") ? name : "rpc-boot");
        byte[] payload = "sixty-four bytes or so".getBytes(StandardCharsets.UTF_8);
        try (Peer.Server server = peer.startServer(0); Peer.Caller caller = peer.connect(server.port())) {
            for (int i = 0; i < 3; i++) {
                assertThat(caller.call(payload)).isEqualTo(payload);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rpc-boot-nothing", "rpc-boot-defaults-client-x2"})
    void anUnknownPeerIsRefusedByName(String name) {
        assertThatIllegalArgumentException().isThrownBy(() -> Peer.byName(name)).withMessageContaining(name);
    }
}
