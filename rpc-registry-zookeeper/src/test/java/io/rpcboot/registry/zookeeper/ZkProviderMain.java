package io.rpcboot.registry.zookeeper;

import java.time.Duration;

import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.server.RpcServer;

/**
 * A provider process for the kill tests: {@code ZkProviderMain <zk address> <root> <name> [port]}.
 * Registers with a 3 s session, prints {@code READY <port>}, serves until killed.
 */
public final class ZkProviderMain {

    private ZkProviderMain() {
    }

    public static void main(String[] args) throws Exception {
        ZooKeeperServiceRegistry registry = ZooKeeperServiceRegistry.connect(ZooKeeperRegistryConfig.of(args[0])
                .withRootPath(args[1]).withSessionTimeout(Duration.ofSeconds(3)), RpcMetrics.simple());
        String name = args[2];
        int port = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        RpcServer server = RpcServer.builder().bind("127.0.0.1", port).registry(registry)
                .service(Greeter.class, () -> name).start();
        System.out.println("READY " + server.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the test kills this process
        }
    }
}
