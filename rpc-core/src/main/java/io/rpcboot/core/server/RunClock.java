package io.rpcboot.core.server;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * How long a run held its thread for its own sake: its wall time less the time the thread stood in
 * the CPU run queue (another thread had the core) — the method's work and its blocking, not the
 * machine's load. A run during which a garbage collection happened is not judged at all.
 *
 * <p>On a busy machine a thread is often runnable but not running: on two cores under load an I/O
 * loop was measured waiting 10-18 ms in the run queue in the middle of a 20 µs method. Wall time
 * alone would call that method slow. Linux counts each thread's run-queue time in
 * {@code /proc/thread-self/schedstat} (its second field, nanoseconds); where that file cannot be
 * read, the wall time is used.
 *
 * <p>Cost: a run that took less than {@link AdaptiveExecution#SLOW_NANOS} of wall time needs no
 * more than two {@code nanoTime} calls; the counters (a seek and a read, about 1 µs, and the
 * collectors' counts) are read when a run starts on a worker, at most once every
 * {@link #REUSE_NANOS} on a loop, and when a run was slow. One instance per thread.
 */
final class RunClock {

    /** A run not judged (a collection happened meanwhile). */
    static final long EXCUSED = -1;
    /** A loop reuses counters read this recently as the start of a run (the gap is counted as the run's). */
    static final long REUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    private static final String SCHEDSTAT = "/proc/thread-self/schedstat";
    private static final List<GarbageCollectorMXBean> COLLECTORS = ManagementFactory.getGarbageCollectorMXBeans();
    private static final ThreadLocal<RunClock> CLOCKS = ThreadLocal.withInitial(RunClock::new);

    /**
     * This thread's schedstat, opened by the thread itself (the path names the opening thread); null:
     * unreadable. Not a FileChannel: an interrupt left set by provider code would close that.
     */
    private @Nullable RandomAccessFile schedstat;
    private final byte[] buffer = new byte[96];
    /** Counters at the start of the current run, and when they were read. */
    private long queuedAtStart;
    private long collectionsAtStart;
    private long readAt;
    private long start;
    private long end;

    private RunClock() {
        try {
            schedstat = new RandomAccessFile(SCHEDSTAT, "r");
            if (readQueuedNanos() < 0) {
                close();
            }
        } catch (IOException | SecurityException e) {
            schedstat = null;
        }
    }

    /** This thread's clock. */
    static RunClock current() {
        return CLOCKS.get();
    }

    /** Whether run-queue time is known here (else wall time is used). */
    boolean precise() {
        return schedstat != null;
    }

    /** A run starts: reads the counters, or (when {@code reuse}) keeps those read within {@link #REUSE_NANOS}. */
    void start(boolean reuse) {
        long now = System.nanoTime();
        if (!reuse || now - readAt > REUSE_NANOS) {
            queuedAtStart = readQueuedNanos();
            collectionsAtStart = collections();
            now = System.nanoTime(); // reading is not the run's time
            readAt = now;
        }
        start = now;
    }

    /** The run started by {@link #start} ended: the time it held the thread, or {@link #EXCUSED}. */
    long held() {
        long now = System.nanoTime();
        end = now;
        long wall = now - start;
        if (wall < AdaptiveExecution.SLOW_NANOS) {
            return wall;
        }
        if (collections() != collectionsAtStart) {
            return EXCUSED;
        }
        long queued = readQueuedNanos();
        if (queued < 0 || queuedAtStart < 0) {
            return wall;
        }
        return Math.max(0, wall - (queued - queuedAtStart));
    }

    /** When the run last judged by {@link #held} ended (nanoTime). */
    long ended() {
        return end;
    }

    private static long collections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : COLLECTORS) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /** The second field of schedstat: nanoseconds this thread waited in a run queue; -1 if unknown. */
    private long readQueuedNanos() {
        RandomAccessFile file = schedstat;
        if (file == null) {
            return -1;
        }
        int end;
        try {
            file.seek(0);
            end = file.read(buffer);
        } catch (IOException e) {
            close();
            return -1;
        }
        int i = 0;
        while (i < end && buffer[i] != ' ') { // skip the CPU time
            i++;
        }
        i++;
        long value = 0;
        int digits = 0;
        for (; i < end; i++) {
            byte b = buffer[i];
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
            digits++;
        }
        return digits == 0 ? -1 : value;
    }

    private void close() {
        RandomAccessFile file = schedstat;
        schedstat = null;
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // read-only, nothing lost
            }
        }
    }
}
