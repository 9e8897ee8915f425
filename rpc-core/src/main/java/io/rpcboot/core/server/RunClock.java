package io.rpcboot.core.server;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.rpcboot.core.internal.threads.VirtualThreads;
import org.jspecify.annotations.Nullable;

/**
 * Judges one run of a method on the thread that ran it: slow if it held the thread for
 * {@link #SLOW_NANOS} or more, or if it was blocked (off the CPU by its own doing: a sleep, a lock,
 * a database, a nested call) for {@link #BLOCKED_NANOS} or more.
 *
 * <p>A run's time leaves out what the machine did to it: the time the thread stood in the CPU run
 * queue (another thread had the core) and garbage-collection pauses. On two busy cores an I/O loop
 * was measured waiting 10-18 ms in the run queue in the middle of a 20 µs method; wall time alone
 * would call that method slow. Linux counts each thread's run-queue time in
 * {@code /proc/thread-self/schedstat} (its second field, nanoseconds; exact for the running thread,
 * unlike the first field, which lags up to a scheduler tick); the thread's CPU time comes from
 * {@link ThreadMXBean#getCurrentThreadCpuTime()}; blocked = wall - CPU - run queue - pauses.
 * Where schedstat cannot be read, only the wall time is judged: a method that blocks briefly
 * (under 2 ms) on each call is then not recognised. On a virtual thread (the worker pool with
 * {@link ServerConfig#virtualThreads()}) the JDK gives no CPU time and schedstat would be the
 * carrier's: only the wall time is judged there, and {@link #BLOCKED_NANOS} of it is slow, so that
 * no blocking method looks fast.
 * Cautious: a fast method whose runs wait for a core now and then stays on the virtual workers.
 *
 * <p>Cost: the counters (a seek and a read of schedstat, the CPU time, the collectors' counts: about
 * 2 µs) are read when a run starts, unless this thread read them less than {@link #REUSE_NANOS}
 * ago (back-to-back runs on a busy loop), and when it ends only if it took {@link #BLOCKED_NANOS}
 * or more. One instance per thread.
 */
final class RunClock {

    /** A run that held its thread this long is slow (its CPU time and its blocking, not its waits for a core). */
    static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** A run blocked this long is slow: a method that waits for something belongs on the pool. */
    static final long BLOCKED_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /**
     * Counters read this recently are the start of the next run too (the run is then timed from the
     * read). Short, since whatever the thread did in between, waiting in a select included, counts
     * as the run's.
     */
    static final long REUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private static final String SCHEDSTAT = "/proc/thread-self/schedstat";
    /**
     * The collectors that report pauses. ZGC's and Shenandoah's "Cycles" count concurrent work and
     * are left out; G1's "Concurrent GC" (Java 20+) counts its remark and cleanup pauses and is kept.
     */
    private static final List<GarbageCollectorMXBean> COLLECTORS = ManagementFactory.getGarbageCollectorMXBeans()
            .stream().filter(gc -> !gc.getName().contains("Cycles")).toList();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_TIME = cpuTimeSupported();
    private static final ThreadLocal<RunClock> CLOCKS = ThreadLocal.withInitial(RunClock::new);

    /**
     * This thread's schedstat, opened by the thread itself (the path names the opening thread); null:
     * unreadable. Not a FileChannel: an interrupt left set by provider code would close that.
     */
    private @Nullable RandomAccessFile schedstat;
    private byte[] buffer = NO_BYTES;
    private static final byte[] NO_BYTES = {};
    /**
     * Whether this is a virtual thread's clock: the JDK gives no CPU time there and schedstat would be the
     * carrier's, so only wall time is judged, against {@link #BLOCKED_NANOS}: a blocking run is never taken for
     * a fast one.
     */
    private final boolean virtual;
    /** Counters at the start of the current run (read at {@link #start}). */
    private long start;
    private long cpuAtStart;
    private long queuedAtStart;
    private long pausedAtStart;
    private long end;
    private long wall;
    private long held;

    private RunClock() {
        start = System.nanoTime() - REUSE_NANOS - 1; // the first run reads the counters
        end = start;
        virtual = VirtualThreads.current();
        if (!CPU_TIME || virtual) {
            return; // (a virtual thread's clock lives as long as its one call: no file to open for it either)
        }
        try {
            buffer = new byte[96];
            schedstat = new RandomAccessFile(SCHEDSTAT, "r");
            if (readQueuedNanos() < 0) {
                close();
            }
        } catch (IOException | SecurityException e) {
            schedstat = null;
        }
    }

    private static boolean cpuTimeSupported() {
        try {
            return THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    /** This thread's clock. */
    static RunClock current() {
        return CLOCKS.get();
    }

    /** Whether run-queue time and blocking are known here (else only wall time is judged). */
    boolean precise() {
        return schedstat != null;
    }

    /** A run starts on this thread. */
    void start() {
        long now = System.nanoTime();
        if (now - start > REUSE_NANOS || now - end > REUSE_NANOS) {
            if (schedstat != null) {
                cpuAtStart = THREADS.getCurrentThreadCpuTime();
                queuedAtStart = readQueuedNanos();
            }
            pausedAtStart = pausedNanos();
            start = System.nanoTime();
        }
        // else: timed from the last read, a moment ago (the previous run ended less than REUSE_NANOS ago)
    }

    /** When the run begun by {@link #start} is timed from (nanoTime): at most 50 µs before it began. */
    long startedAt() {
        return start;
    }

    /** The run begun by {@link #start} ended: whether it was slow. */
    boolean slow() {
        long now = System.nanoTime();
        end = now;
        long elapsed = now - start;
        wall = elapsed;
        held = elapsed;
        if (elapsed < BLOCKED_NANOS) {
            return false; // neither held nor blocked long enough, whatever the counters say
        }
        long own = elapsed - (pausedNanos() - pausedAtStart);
        start = now - REUSE_NANOS - 1; // the next run reads afresh: these counters cover this run only
        if (schedstat == null) {
            held = own;
            return own >= (virtual ? BLOCKED_NANOS : SLOW_NANOS);
        }
        long queuedNow = readQueuedNanos();
        long cpuNow = THREADS.getCurrentThreadCpuTime();
        if (queuedNow < 0 || queuedAtStart < 0 || cpuNow < 0 || cpuAtStart < 0) {
            held = own; // a counter could not be read: wall time only
            return own >= SLOW_NANOS;
        }
        long cpu = cpuNow - cpuAtStart;
        held = own - (queuedNow - queuedAtStart);
        return held >= SLOW_NANOS || held - cpu >= BLOCKED_NANOS;
    }

    /** How long the run last judged by {@link #slow} took, wall time. */
    long wallNanos() {
        return wall;
    }

    /** How long the run last judged by {@link #slow} held its thread: wall time less run-queue waits and pauses. */
    long heldNanos() {
        return held;
    }

    /** When the run last judged by {@link #slow} ended (nanoTime). */
    long ended() {
        return end;
    }

    /** When the run last judged by {@link #slow} started, as timed (nanoTime). */
    long started() {
        return end - wall;
    }

    /** Garbage-collection time so far, as the collectors report it (milliseconds, so coarse). */
    private static long pausedNanos() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : COLLECTORS) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }

    /** The second field of schedstat: nanoseconds this thread waited in a run queue; -1 if unknown. */
    private long readQueuedNanos() {
        RandomAccessFile file = schedstat;
        if (file == null) {
            return -1;
        }
        int n;
        try {
            file.seek(0);
            n = file.read(buffer);
        } catch (IOException e) {
            close();
            return -1;
        }
        int i = 0;
        while (i < n && buffer[i] != ' ') { // skip the CPU time
            i++;
        }
        i++;
        long value = 0;
        int digits = 0;
        for (; i < n; i++) {
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
