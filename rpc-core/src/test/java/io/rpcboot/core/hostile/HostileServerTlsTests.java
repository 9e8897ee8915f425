package io.rpcboot.core.hostile;

import io.rpcboot.core.testing.TestCertificates;
import org.jspecify.annotations.Nullable;

/**
 * Every hostile-peer attack of {@link HostileServerTests} again, over TLS: the attacker completes a
 * handshake and then sends the same bytes encrypted. The server must bound what it holds by the same
 * formulas, TLS or not.
 */
class HostileServerTlsTests extends HostileServerTests {

    private static final TestCertificates CA = TestCertificates.authority("hostile-peer test CA");

    @Override
    @Nullable TestCertificates certificates() {
        return CA;
    }
}
