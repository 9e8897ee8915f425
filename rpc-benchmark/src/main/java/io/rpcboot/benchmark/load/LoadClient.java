package io.rpcboot.benchmark.load;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load generator: {@code LoadClient <peer> <port> <payloadBytes> <c1,c2,...> <warmupMs> <measureMs>}.
 * For each concurrency C: C threads call in a closed loop for the warm-up, then for the measured
 * window, with every latency recorded in an HdrHistogram. Prints {@code MEASURE_START C} and
 * {@code MEASURE_END C} around each window (the orchestrator samples the server's CPU there) and a
 * {@code RESULT} line with ops/s, p50, p99, p99.9 (microseconds) and this process's CPU (cores).
 * Every echo is checked: a wrong answer fails the run.
 */
public final class LoadClient {

    private LoadClient() {
    }

    public static void main(String[] args) throws Exception {
        Peer peer = Peer.byName(args[0]);
        int port = Integer.parseInt(args[1]);
        int payloadSize = Integer.parseInt(args[2]);
        int[] levels = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
        Duration warmup = Duration.ofMillis(Long.parseLong(args[4]));
        Duration measure = Duration.ofMillis(Long.parseLong(args[5]));
        Duration prewarm = Duration.ofMillis(args.length > 6 ? Long.parseLong(args[6]) : 0);
        try (Peer.Caller caller = peer.connect(port)) {
            if (!prewarm.isZero()) { // let the JIT compile the hot paths before anything is measured
                load(caller, payloadSize, 16, prewarm, new Recorder(3), new AtomicBoolean(), new LongAdder());
            }
            for (int c : levels) {
                run(peer.name(), caller, payloadSize, c, warmup, measure);
            }
        }
        System.exit(0);
    }

    /** Runs {@code concurrency} callers for {@code duration} without measuring. */
    private static void load(Peer.Caller caller, int payloadSize, int concurrency, Duration duration, Recorder recorder,
                             AtomicBoolean recording, LongAdder calls) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong failures = new AtomicLong();
        CountDownLatch done = startCallers(caller, payloadSize, concurrency, stop, recording, recorder, calls, failures);
        Thread.sleep(duration.toMillis()); // a fixed-duration warm-up by design
        stop.set(true);
        done.await();
    }

    private static void run(String peer, Peer.Caller caller, int payloadSize, int concurrency, Duration warmup,
                            Duration measure) throws Exception {
        Recorder recorder = new Recorder(3);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean recording = new AtomicBoolean();
        LongAdder calls = new LongAdder();
        AtomicLong failures = new AtomicLong();
        CountDownLatch done = startCallers(caller, payloadSize, concurrency, stop, recording, recorder, calls, failures);
        Thread.sleep(warmup.toMillis()); // the warm-up runs for a fixed time by design
        recorder.reset();
        long cpuBefore = processCpuNanos();
        System.out.println("MEASURE_START " + concurrency);
        System.out.flush();
        long started = System.nanoTime();
        recording.set(true);
        Thread.sleep(measure.toMillis()); // the measured window is a fixed duration by design
        recording.set(false);
        long elapsed = System.nanoTime() - started;
        long cpuAfter = processCpuNanos();
        System.out.println("MEASURE_END " + concurrency);
        System.out.flush();
        stop.set(true);
        done.await();
        Histogram h = recorder.getIntervalHistogram();
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " calls failed or returned a wrong echo");
        }
        double seconds = elapsed / 1e9;
        System.out.printf("RESULT peer=%s payload=%d c=%d ops=%.1f p50=%.1f p99=%.1f p999=%.1f clientCpu=%.3f calls=%d%n",
                peer, payloadSize, concurrency, calls.sum() / seconds, h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
                (cpuAfter - cpuBefore) / (double) elapsed, calls.sum());
        System.out.flush();
    }

    private static CountDownLatch startCallers(Peer.Caller caller, int payloadSize, int concurrency, AtomicBoolean stop,
                                               AtomicBoolean recording, Recorder recorder, LongAdder calls,
                                               AtomicLong failures) {
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int t = 0; t < concurrency; t++) {
            long seed = t;
            Thread thread = new Thread(() -> {
                byte[] payload = new byte[payloadSize];
                new SplittableRandom(seed).nextBytes(payload);
                try {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        byte[] answer = caller.call(payload);
                        long took = System.nanoTime() - start;
                        if (answer.length != payload.length || answer[0] != payload[0]
                                || answer[answer.length - 1] != payload[payload.length - 1]) {
                            failures.incrementAndGet();
                        }
                        if (recording.get()) {
                            recorder.recordValue(took);
                            calls.increment();
                        }
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                    e.printStackTrace();
                } finally {
                    done.countDown();
                }
            }, "caller-" + t);
            thread.setDaemon(true);
            thread.start();
        }
        return done;
    }

    static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
