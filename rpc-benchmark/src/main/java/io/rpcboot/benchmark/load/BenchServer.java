package io.rpcboot.benchmark.load;

/**
 * Runs one peer's echo server until stdin closes: {@code BenchServer <peer>}. Prints
 * {@code READY <port>} once it listens.
 */
public final class BenchServer {

    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        Peer peer = Peer.byName(args[0]);
        try (Peer.Server server = peer.startServer(0)) {
            System.out.println("READY " + server.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the orchestrator closes our stdin
            }
        }
        System.exit(0);
    }
}
