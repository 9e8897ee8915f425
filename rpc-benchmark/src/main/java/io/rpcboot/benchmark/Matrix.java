package io.rpcboot.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.rpcboot.benchmark.load.BenchServer;
import io.rpcboot.benchmark.load.BenchTls;
import io.rpcboot.benchmark.load.LoadClient;
import io.rpcboot.benchmark.report.BenchmarkReport;
import io.rpcboot.benchmark.report.Cell;
import io.rpcboot.benchmark.report.JmhResults;

/**
 * Runs the whole comparison and writes {@code docs/benchmarks.md} with its charts.
 *
 * <pre>
 *  start one echo server JVM per peer (rpc-boot, grpc, nio-floor), all with the same flags
 *  repeat R times: for each payload: for each peer (order rotated per repeat):
 *      a client JVM (same flags) pre-warms, then runs every concurrency level:
 *      warm-up, measured window; the server's CPU is read around each window
 *  medians over the repeats -> tables, ratios, charts
 *  JMH (serializer, frame codec, buffer pool, whole call) with -prof gc -> allocation per operation
 * </pre>
 *
 * Settings come from system properties ({@code bench.repeats}, {@code bench.payloads},
 * {@code bench.levels}, {@code bench.warmupMs}, {@code bench.measureMs}, {@code bench.prewarmMs},
 * {@code bench.jmh}, {@code bench.out}); the defaults fit in about ten minutes on two cores.
 */
public final class Matrix {

    static final List<String> JVM_FLAGS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-Djava.awt.headless=true");

    private Matrix() {
    }

    public static void main(String[] args) throws Exception {
        int repeats = Integer.getInteger("bench.repeats", 3);
        List<Integer> payloads = ints(System.getProperty("bench.payloads", "64,1024,16384"));
        List<Integer> levels = ints(System.getProperty("bench.levels", "1,16,64,256"));
        List<String> peers = List.of(System.getProperty("bench.peers", "rpc-boot,grpc,nio-floor").split(","));
        long warmup = Long.getLong("bench.warmupMs", 1000);
        long measure = Long.getLong("bench.measureMs", 2000);
        long prewarm = Long.getLong("bench.prewarmMs", 4000);
        Path out = Path.of(System.getProperty("bench.out", "docs"));
        Instant began = Instant.now();

        Map<String, Process> servers = new LinkedHashMap<>();
        Map<String, Integer> ports = new LinkedHashMap<>();
        List<Cell> runs = new ArrayList<>();
        if (peers.stream().anyMatch(p -> p.endsWith("-tls"))) {
            BenchTls.generate(); // one CA and server certificate for every TLS peer of this run
        }
        try {
            for (String peer : peers) {
                Process p = java(BenchServer.class, List.of(peer));
                servers.put(peer, p);
                ports.put(peer, awaitReady(p));
                log("server %s on port %d (pid %d)", peer, ports.get(peer), p.pid());
            }
            for (int r = 0; r < repeats; r++) {
                for (int payload : payloads) {
                    for (int i = 0; i < peers.size(); i++) {
                        String peer = peers.get((i + r) % peers.size()); // rotate, so no peer always runs first
                        List<Cell> cells = runClient(peer, ports.get(peer), servers.get(peer), payload, levels, warmup,
                                measure, prewarm);
                        runs.addAll(cells);
                        for (Cell c : cells) {
                            log("repeat %d %-9s %6dB c=%-3d %10.0f ops/s  p50 %8.1f us  p99 %8.1f us", r + 1, peer,
                                    payload, c.concurrency(), c.ops(), c.p50(), c.p99());
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
        JmhResults jmh = Boolean.parseBoolean(System.getProperty("bench.jmh", "true")) ? runJmh() : JmhResults.none();
        Duration took = Duration.between(began, Instant.now());
        BenchmarkReport.write(out, runs, jmh, levels, payloads, peers, repeats, warmup, measure, prewarm, JVM_FLAGS, took);
        log("wrote %s/benchmarks.md in %d s", out, took.toSeconds());
    }

    private static List<Cell> runClient(String peer, int port, Process server, int payload, List<Integer> levels,
                                        long warmup, long measure, long prewarm) throws Exception {
        return runClient(peer, port, server, payload, levels, warmup, measure, prewarm, System.getProperty("java.class.path"));
    }

    /** One load-client run against {@code server}, the client started with {@code classpath}. */
    static List<Cell> runClient(String peer, int port, Process server, int payload, List<Integer> levels, long warmup,
                                long measure, long prewarm, String classpath) throws Exception {
        Process client = java(LoadClient.class, List.of(peer, String.valueOf(port), String.valueOf(payload),
                String.join(",", levels.stream().map(String::valueOf).toList()), String.valueOf(warmup),
                String.valueOf(measure), String.valueOf(prewarm)), classpath);
        List<Cell> cells = new ArrayList<>();
        StringBuilder output = new StringBuilder();
        long serverCpuStart = 0;
        long windowStart = 0;
        double serverCpu = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.append(line).append('\n');
                if (line.startsWith("MEASURE_START")) {
                    serverCpuStart = cpuNanos(server);
                    windowStart = System.nanoTime();
                } else if (line.startsWith("MEASURE_END")) {
                    serverCpu = (cpuNanos(server) - serverCpuStart) / (double) (System.nanoTime() - windowStart);
                } else if (line.startsWith("RESULT")) {
                    cells.add(Cell.parse(line, serverCpu));
                }
            }
        }
        if (!client.waitFor(60, TimeUnit.SECONDS) || client.exitValue() != 0 || cells.size() != levels.size()) {
            throw new IllegalStateException("load client for " + peer + " failed:\n" + output);
        }
        return cells;
    }

    private static JmhResults runJmh() throws Exception {
        Path json = Path.of("rpc-benchmark", "target", "jmh-result.json");
        Files.createDirectories(json.getParent());
        Process p = java(org.openjdk.jmh.Main.class, List.of("-f", "1", "-wi", "3", "-w", "1s", "-i", "5", "-r", "1s",
                "-prof", "gc", "-rf", "json", "-rff", json.toString(), "io.rpcboot.benchmark.jmh"));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("Benchmark") || line.contains("avgt")) {
                    log("jmh: %s", line);
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("JMH failed");
        }
        return JmhResults.read(json);
    }

    static Process java(Class<?> main, List<String> args) throws IOException {
        return java(main, args, System.getProperty("java.class.path"));
    }

    static Process java(Class<?> main, List<String> args, String classpath) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(classpath);
        command.add(main.getName());
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    static int awaitReady(Process p) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("READY ")) {
                // what the server logs after that (warnings only) is kept in the run's log
                Thread drain = new Thread(() -> in.lines().forEach(l -> System.err.println("[server " + p.pid() + "] " + l)),
                        "drain-" + p.pid());
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(line.substring(6).strip());
            }
        }
        throw new IllegalStateException("server exited before it was ready");
    }

    private static long cpuNanos(Process p) {
        return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    static List<Integer> ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::strip).map(Integer::valueOf).toList();
    }

    private static void log(String format, Object... args) {
        System.out.printf("[bench] " + format + "%n", args);
        System.out.flush();
    }
}
