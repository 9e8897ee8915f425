package io.rpcboot.registry.zookeeper;

/** The service the ZooKeeper tests publish; each provider answers with its name. */
public interface Greeter {
    String whoAmI();
}
