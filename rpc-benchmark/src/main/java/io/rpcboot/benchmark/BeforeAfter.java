package io.rpcboot.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.rpcboot.benchmark.load.BenchServer;
import io.rpcboot.benchmark.report.Cell;
import io.rpcboot.benchmark.report.Medians;

/**
 * rpc-boot against an earlier build of itself, side by side in one run: for a change on the call
 * path, the "before and after" figures. The earlier build's class path comes from
 * {@code -Dbench.before.cp} (e.g. a worktree of the previous commit, built with {@code ./bench.sh}'s
 * first step); both servers run at once and the two sides alternate, first one then the other, in
 * every round. Prints per cell the medians of each side and their ratio (after / before). The peer
 * is {@code rpc-boot} ({@code direct}, one loop, one connection) unless {@code -Dbench.peer} names
 * another rpc-boot peer of {@code Peer.byName} (e.g. {@code rpc-boot-defaults}).
 *
 * <pre>
 *   java -cp "$AFTER" -Dbench.before.cp="$BEFORE" io.rpcboot.benchmark.BeforeAfter
 * </pre>
 */
public final class BeforeAfter {

    private BeforeAfter() {
    }

    public static void main(String[] args) throws Exception {
        String beforeCp = System.getProperty("bench.before.cp");
        if (beforeCp == null || beforeCp.isBlank()) {
            throw new IllegalArgumentException("set -Dbench.before.cp to the class path of the earlier build");
        }
        String afterCp = System.getProperty("java.class.path");
        int rounds = Integer.getInteger("bench.repeats", 5);
        List<Integer> payloads = Matrix.ints(System.getProperty("bench.payloads", "64,16384"));
        List<Integer> levels = Matrix.ints(System.getProperty("bench.levels", "64"));
        long warmup = Long.getLong("bench.warmupMs", 1000);
        long measure = Long.getLong("bench.measureMs", 2000);
        long prewarm = Long.getLong("bench.prewarmMs", 4000);
        String peer = System.getProperty("bench.peer", "rpc-boot");
        Map<String, String> classpaths = new LinkedHashMap<>();
        classpaths.put("before", beforeCp);
        classpaths.put("after", afterCp);
        Map<String, Process> servers = new LinkedHashMap<>();
        Map<String, Integer> ports = new LinkedHashMap<>();
        Map<String, List<Cell>> cells = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> side : classpaths.entrySet()) {
                Process p = Matrix.java(BenchServer.class, List.of(peer), side.getValue());
                servers.put(side.getKey(), p);
                ports.put(side.getKey(), Matrix.awaitReady(p));
                cells.put(side.getKey(), new ArrayList<>());
            }
            List<String> sides = new ArrayList<>(classpaths.keySet());
            for (int r = 0; r < rounds; r++) {
                for (int payload : payloads) {
                    for (int i = 0; i < sides.size(); i++) {
                        String side = sides.get((i + r) % sides.size()); // alternate which side runs first
                        List<Cell> run = Matrix.runClient(peer, ports.get(side), servers.get(side), payload, levels,
                                warmup, measure, prewarm, classpaths.get(side));
                        cells.get(side).addAll(run);
                        for (Cell c : run) {
                            System.out.printf("[before-after] round %d %-6s %6dB c=%-3d %10.0f ops/s  p50 %8.1f us  p99 %8.1f us%n",
                                    r + 1, side, payload, c.concurrency(), c.ops(), c.p50(), c.p99());
                        }
                    }
                }
            }
        } finally {
            for (Process p : servers.values()) {
                p.getOutputStream().close();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        System.out.printf("%n| payload | callers | before ops/s | after ops/s | ratio | before p99 us | after p99 us | ratio |%n");
        System.out.printf("|---|---|---|---|---|---|---|---|%n");
        for (int payload : payloads) {
            for (int level : levels) {
                double[] before = medians(cells.get("before"), payload, level);
                double[] after = medians(cells.get("after"), payload, level);
                System.out.printf("| %d B | %d | %.0f | %.0f | %.2f | %.1f | %.1f | %.2f |%n", payload, level, before[0],
                        after[0], after[0] / before[0], before[1], after[1], after[1] / before[1]);
            }
        }
    }

    /** Median throughput and median p99 of one side's runs of one cell. */
    private static double[] medians(List<Cell> runs, int payload, int level) {
        List<Cell> mine = runs.stream().filter(c -> c.payload() == payload && c.concurrency() == level).toList();
        return new double[] {Medians.median(mine.stream().mapToDouble(Cell::ops).toArray()),
                Medians.median(mine.stream().mapToDouble(Cell::p99).toArray())};
    }
}
