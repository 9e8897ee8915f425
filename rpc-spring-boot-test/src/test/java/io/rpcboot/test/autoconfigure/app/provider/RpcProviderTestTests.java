package io.rpcboot.test.autoconfigure.app.provider;

import io.rpcboot.test.autoconfigure.app.Quotes;

import io.rpcboot.test.autoconfigure.RpcProviderTest;
import io.rpcboot.test.autoconfigure.RpcTestClient;

import java.net.UnixDomainSocketAddress;

import io.rpcboot.core.server.RpcServer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The provider slice: only rpc-boot and the named provider, served in process, called through the test client. */
@RpcProviderTest(FixedQuotes.class)
class RpcProviderTestTests {

    @Autowired
    RpcTestClient rpc;

    @Autowired
    RpcServer server;

    @Autowired
    ApplicationContext context;

    @Test
    void theProviderAnswersThroughTheCodecWithNoPortOpen() throws Exception {
        Quotes quotes = rpc.reference(Quotes.class);
        assertThat(quotes.quote("RPC")).isEqualTo("RPC 42.00");
        assertThatExceptionOfType(Quotes.UnknownSymbolException.class).isThrownBy(() -> quotes.quote("XYZ"))
                .satisfies(e -> assertThat(e.symbol()).isEqualTo("XYZ"));
        assertThat(server.inProcess()).isTrue();
        assertThat(server.address()).as("no TCP port").isInstanceOf(UnixDomainSocketAddress.class);
    }

    @Test
    void onlyTheNamedProvidersAreInTheContext() {
        assertThat(context.getBeansOfType(FixedQuotes.class)).hasSize(1);
        assertThat(context.getBeansOfType(Unrelated.class)).isEmpty();
    }
}
