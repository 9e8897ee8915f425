package io.rpcboot.autoconfigure;

import io.rpcboot.architecture.FrontDoor;
import org.junit.jupiter.api.Test;

/** The auto-configuration (actuate included) uses rpc-core's front door only: no type under {@code io.rpcboot.core.internal}. */
class FrontDoorTests {

    @Test
    void usesOnlyTheFrontDoorOfRpcCore() {
        FrontDoor.assertUsesOnlyFrontDoor("io.rpcboot.autoconfigure");
    }
}
