package io.rpcboot.sample.consumer;

import io.rpcboot.architecture.FrontDoor;
import org.junit.jupiter.api.Test;

/** The sample consumer uses rpc-core's front door only: no type under {@code io.rpcboot.core.internal}. */
class FrontDoorTests {

    @Test
    void usesOnlyTheFrontDoorOfRpcCore() {
        FrontDoor.assertUsesOnlyFrontDoor("io.rpcboot.sample.consumer");
    }
}
