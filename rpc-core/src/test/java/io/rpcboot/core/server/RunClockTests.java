package io.rpcboot.core.server;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@link RunClock} calls slow: 2 ms of a thread's own time, or 200 µs blocked; never its waits for a core. */
class RunClockTests {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final RunClock clock = RunClock.current();

    /** Spins until this thread has used {@code millis} of CPU. */
    private static void work(double millis) {
        long start = THREADS.getCurrentThreadCpuTime();
        while (THREADS.getCurrentThreadCpuTime() - start < (long) (millis * 1_000_000)) {
            Thread.onSpinWait();
        }
    }

    private boolean judge(Runnable run) {
        clock.start();
        run.run();
        return clock.slow();
    }

    @Test
    void runQueueTimeIsKnownWhereLinuxCountsIt() {
        assertThat(clock.precise()).isEqualTo(Files.isReadable(Path.of("/proc/thread-self/schedstat")));
    }

    /** Judged by what it did, not by the wall clock: a busy machine may hold the thread longer than the run. */
    @Test
    void aShortRunIsNotSlow() {
        assertThat(judge(() -> { })).isFalse();
    }

    @Test
    void workingTwoMillisecondsIsSlow() {
        assertThat(judge(() -> work(3))).isTrue();
    }

    @Test
    void blockingIsSlowLongBeforeTwoMilliseconds() {
        if (clock.precise()) {
            assertThat(judge(() -> LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(600)))).isTrue();
        } else { // wall time only
            assertThat(judge(() -> LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(3)))).isTrue();
        }
    }

    /** A millisecond of work while twice as many threads as cores spin: slow by wall time, not by its own. */
    @Test
    void waitingForACoreIsNotSlow() throws Exception {
        AtomicBoolean spin = new AtomicBoolean(true);
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++) {
            Thread t = new Thread(() -> {
                while (spin.get()) {
                    Thread.onSpinWait();
                }
            }, "spinner-" + i);
            t.setDaemon(true);
            t.start();
            spinners.add(t);
        }
        try {
            judge(() -> work(1)); // the spinners start, the JIT compiles: safepoints stop every thread
            int slowByWall = 0;
            List<Long> slow = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                if (judge(() -> work(1))) {
                    slow.add(clock.wallNanos() / 1000);
                }
                if (clock.wallNanos() >= RunClock.SLOW_NANOS) {
                    slowByWall++;
                }
            }
            assertThat(slowByWall).as("runs that took 2 ms of wall time: the cores were contended").isPositive();
            if (clock.precise()) { // a safepoint still looks like blocking now and then
                assertThat(slow).as("wall µs of the runs judged slow").hasSizeLessThanOrEqualTo(2);
            }
        } finally {
            spin.set(false);
            for (Thread t : spinners) {
                t.join();
            }
        }
    }
}
