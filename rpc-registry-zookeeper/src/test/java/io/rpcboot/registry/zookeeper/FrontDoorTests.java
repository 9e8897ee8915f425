package io.rpcboot.registry.zookeeper;

import io.rpcboot.architecture.FrontDoor;
import org.junit.jupiter.api.Test;

/** The ZooKeeper registry uses rpc-core's front door only: no type under {@code io.rpcboot.core.internal}. */
class FrontDoorTests {

    @Test
    void usesOnlyTheFrontDoorOfRpcCore() {
        FrontDoor.assertUsesOnlyFrontDoor("io.rpcboot.registry.zookeeper");
    }
}
