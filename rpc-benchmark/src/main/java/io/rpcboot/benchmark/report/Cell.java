package io.rpcboot.benchmark.report;

/**
 * One measured window: a peer at one payload size and concurrency. Latencies in microseconds;
 * CPU in cores (1.0 = one core busy for the whole window).
 */
public record Cell(String peer, int payload, int concurrency, double ops, double p50, double p99, double p999,
                   double clientCpu, double serverCpu) {

    /** Parses a {@code RESULT} line of the load client; the server CPU is measured by the orchestrator. */
    public static Cell parse(String line, double serverCpu) {
        java.util.Map<String, String> f = new java.util.HashMap<>();
        for (String part : line.substring("RESULT ".length()).split(" ")) {
            int eq = part.indexOf('=');
            f.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return new Cell(f.get("peer"), Integer.parseInt(f.get("payload")), Integer.parseInt(f.get("c")),
                Double.parseDouble(f.get("ops")), Double.parseDouble(f.get("p50")), Double.parseDouble(f.get("p99")),
                Double.parseDouble(f.get("p999")), Double.parseDouble(f.get("clientCpu")), serverCpu);
    }
}
