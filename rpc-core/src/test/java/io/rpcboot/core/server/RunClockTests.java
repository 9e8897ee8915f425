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

/** What {@link RunClock} counts as a run's own time: its work and its blocking, not its waits for a core. */
class RunClockTests {

    @Test
    void runQueueTimeIsKnownWhereLinuxCountsIt() {
        boolean linux = Files.isReadable(Path.of("/proc/thread-self/schedstat"));
        assertThat(RunClock.current().precise()).isEqualTo(linux);
    }

    @Test
    void aShortRunIsItsWallTime() {
        RunClock clock = RunClock.current();
        clock.start(false);
        long held = clock.held();
        assertThat(held).isBetween(0L, AdaptiveExecution.SLOW_NANOS);
    }

    @Test
    void blockingCountsWholly() {
        RunClock clock = RunClock.current();
        long held;
        do { // a collection in the middle excuses the run: try again
            clock.start(false);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            held = clock.held();
        } while (held == RunClock.EXCUSED);
        assertThat(held).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(5));
    }

    /**
     * Spinning while other threads spin on every core: the run is at least its own CPU time and at
     * most its wall time; with run-queue time known, less than the wall time by what it waited.
     */
    @Test
    void waitingForACoreIsNotTheRunsOwnTime() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
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
            RunClock clock = RunClock.current();
            long held;
            long cpu;
            long wall;
            do {
                long cpuStart = threads.getCurrentThreadCpuTime();
                long wallStart = System.nanoTime();
                clock.start(false);
                while (threads.getCurrentThreadCpuTime() - cpuStart < TimeUnit.MILLISECONDS.toNanos(5)) {
                    Thread.onSpinWait();
                }
                held = clock.held();
                cpu = threads.getCurrentThreadCpuTime() - cpuStart;
                wall = System.nanoTime() - wallStart;
            } while (held == RunClock.EXCUSED);
            long tick = TimeUnit.MILLISECONDS.toNanos(1); // the kernel's accounting granularity, at most
            assertThat(held).isLessThanOrEqualTo(wall).isGreaterThanOrEqualTo(cpu - tick);
            if (clock.precise()) {
                assertThat(held).as("wall %d ns, cpu %d ns", wall, cpu).isLessThan(wall - (wall - cpu) / 2);
            }
        } finally {
            spin.set(false);
            for (Thread t : spinners) {
                t.join();
            }
        }
    }
}
