package io.rpcboot.registry.zookeeper;

import org.apache.curator.test.TestingServer;

/**
 * A throw-away ZooKeeper for the demo (Curator's in-process test server, temporary data directory):
 * prints {@code ZOOKEEPER <connect string>}, runs until the process is stopped. Not for production.
 */
public final class LocalZooKeeper {

    private LocalZooKeeper() {
    }

    public static void main(String[] args) throws Exception {
        TestingServer server = new TestingServer(true);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (java.io.IOException e) {
                // stopping anyway
            }
        }));
        System.out.println("ZOOKEEPER " + server.getConnectString());
        System.out.flush();
        Thread.currentThread().join(); // until the demo stops this process
    }
}
