package io.rpcboot.core.internal.reactor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@org.junit.jupiter.api.Timeout(30)
class EventLoopTests {

    private EventLoop loop;
    private Thread thread;
    private final List<Pipe> pipes = new ArrayList<>();

    @BeforeEach
    void start() {
        loop = new EventLoop("test-loop");
        thread = new Thread(loop::run, "test-loop");
        thread.start();
    }

    @AfterEach
    void stop() throws Exception {
        loop.stop();
        assertThat(loop.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        for (Pipe p : pipes) {
            p.sink().close();
            p.source().close();
        }
    }

    @Test
    void runsTasksFromManyThreadsInSubmissionOrderPerThread() {
        int threads = 4;
        int perThread = 10_000;
        ConcurrentLinkedQueue<int[]> ran = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            submitters.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < perThread; i++) {
                    int seq = i;
                    loop.execute(() -> ran.add(new int[] {id, seq}));
                }
            }, r -> new Thread(r).start()));
        }
        submitters.forEach(CompletableFuture::join);
        barrier();

        assertThat(ran).hasSize(threads * perThread);
        int[] next = new int[threads];
        for (int[] task : ran) {
            assertThat(task[1]).isEqualTo(next[task[0]]++);
        }
    }

    @Test
    void coalescesWakeupsWhileTheLoopIsAwake() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            busy.countDown();
            awaitUninterruptibly(release);
        });
        busy.await();
        long before = loop.wakeups();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 1000; i++) {
            loop.execute(ran::incrementAndGet);
        }
        assertThat(loop.wakeups() - before).isZero(); // the loop is awake running a task: no wake-up needed
        release.countDown();
        barrier();
        assertThat(ran).hasValue(1000);

        // asleep in select(): a batch of tasks costs at most one wake-up per sleep, not one per task
        barrier();
        long asleep = loop.wakeups();
        CountDownLatch done = new CountDownLatch(1000);
        for (int i = 0; i < 1000; i++) {
            loop.execute(done::countDown);
        }
        done.await();
        assertThat(loop.wakeups() - asleep).isLessThan(1000);
    }

    @Test
    void taskThatThrowsDoesNotKillTheLoop() {
        loop.execute(() -> {
            throw new IllegalStateException("boom (expected by the test)");
        });
        CompletableFuture<String> after = new CompletableFuture<>();
        loop.execute(() -> after.complete(Thread.currentThread().getName()));
        assertThat(after.join()).isEqualTo("test-loop");
    }

    @Test
    void failuresInIterationAfterIterationMakeTheLoopPauseAndACleanIterationEndsThePauses() throws Exception {
        // a timer that fails and re-arms itself: exactly one failure in each iteration, ten in a row
        int failing = 10;
        long[] failedAt = new long[failing];
        CountDownLatch cleanRun = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        Runnable[] self = new Runnable[1];
        self[0] = () -> {
            int n = runs.getAndIncrement();
            if (n == failing) {
                cleanRun.countDown();
                return;
            }
            failedAt[n] = System.nanoTime();
            loop.schedule(0, TimeUnit.NANOSECONDS, self[0]); // due in the next iteration, not this one
            throw new IllegalStateException("failure " + n + " (expected by the test)");
        };
        long escapedBefore = loop.escapedFailures();
        loop.execute(() -> loop.schedule(0, TimeUnit.NANOSECONDS, self[0]));
        cleanRun.await();

        assertThat(loop.escapedFailures() - escapedBefore).isEqualTo(failing);
        // pauses after the 3rd to the 9th failed iteration: 1 + 2 + 4 + ... + 64 ms, where a spinning loop takes microseconds
        assertThat(Duration.ofNanos(failedAt[failing - 1] - failedAt[0])).isGreaterThanOrEqualTo(Duration.ofMillis(127));
        // read in a timer armed from a task: it fires in a later iteration than the clean run's, which has ended
        CompletableFuture<Integer> streak = new CompletableFuture<>();
        loop.execute(() -> loop.schedule(0, TimeUnit.NANOSECONDS, () -> streak.complete(loop.failedIterations())));
        assertThat(streak.join()).as("failed iterations in a row after a clean one").isZero();
    }

    @Test
    void backOffDoublesFromOneMillisecondUpToOneSecond() {
        assertThat(EventLoop.backoffNanos(2)).isZero();
        assertThat(EventLoop.backoffNanos(3)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(EventLoop.backoffNanos(4)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(2));
        assertThat(EventLoop.backoffNanos(12)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(512));
        assertThat(EventLoop.backoffNanos(13)).isEqualTo(TimeUnit.SECONDS.toNanos(1));
        assertThat(EventLoop.backoffNanos(Integer.MAX_VALUE)).isEqualTo(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void aVirtualMachineErrorEndsTheLoopAfterItClosesItsChannelsAndIsRethrown() throws Exception {
        EventLoop doomed = new EventLoop("doomed-loop");
        CompletableFuture<Void> ran = new CompletableFuture<>();
        new Thread(() -> {
            try {
                doomed.run();
                ran.complete(null);
            } catch (Throwable t) {
                ran.completeExceptionally(t);
            }
        }, "doomed-loop").start();
        Pipe pipe = openPipe();
        CountDownLatch toldStopped = new CountDownLatch(1);
        doomed.register(pipe.source(), SelectionKey.OP_READ, new IoHandler() {
            @Override
            public void handleReady(IoRegistration registration, int readyOps) {
            }

            @Override
            public void handleLoopStopped(IoRegistration registration) {
                toldStopped.countDown();
            }
        }).join();

        doomed.execute(() -> {
            throw new InternalError("fatal (expected by the test)");
        });

        assertThatThrownBy(ran::join).hasCauseInstanceOf(InternalError.class).hasRootCauseMessage("fatal (expected by the test)");
        assertThat(doomed.isTerminated()).isTrue();
        assertThat(toldStopped.getCount()).isZero();
        assertThat(pipe.source().isOpen()).isFalse();
        assertThat(doomed.escapedFailures()).isZero(); // not contained: it ended the loop
        assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> doomed.execute(() -> { }));
    }

    @Test
    void aVirtualMachineErrorFromAHandlerEndsTheLoopToo() throws Exception {
        EventLoop doomed = new EventLoop("doomed-by-handler");
        CompletableFuture<Void> ran = new CompletableFuture<>();
        new Thread(() -> {
            try {
                doomed.run();
                ran.complete(null);
            } catch (Throwable t) {
                ran.completeExceptionally(t);
            }
        }, "doomed-by-handler").start();
        Pipe pipe = openPipe();
        doomed.register(pipe.source(), SelectionKey.OP_READ, (r, ops) -> {
            throw new StackOverflowError("fatal in a handler (expected by the test)");
        }).join();

        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));

        assertThatThrownBy(ran::join).hasCauseInstanceOf(StackOverflowError.class);
        assertThat(doomed.isTerminated()).isTrue();
        assertThat(pipe.source().isOpen()).isFalse();
    }

    @Test
    void timersFireInDeadlineOrder() throws Exception {
        int count = 200;
        List<Timeout> scheduled = Collections.synchronizedList(new ArrayList<>());
        ConcurrentLinkedQueue<Timeout> fired = new ConcurrentLinkedQueue<>();
        CountDownLatch all = new CountDownLatch(count);
        Timeout[] self = new Timeout[count];
        // hold the loop so that every timer is queued before any can fire
        CountDownLatch hold = new CountDownLatch(1);
        loop.execute(() -> awaitUninterruptibly(hold));
        for (int i = 0; i < count; i++) {
            int index = i;
            long delay = ThreadLocalRandom.current().nextLong(0, 60);
            self[i] = loop.schedule(delay, TimeUnit.MILLISECONDS, () -> {
                fired.add(self[index]);
                all.countDown();
            });
            scheduled.add(self[i]);
        }
        hold.countDown();
        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();

        List<Timeout> expected = new ArrayList<>(scheduled);
        expected.sort(Comparator.comparingLong(Timeout::deadlineNanos)); // stable: ties keep scheduling order
        assertThat(fired).containsExactlyElementsOf(expected);
        assertThat(fired).allMatch(Timeout::isExpired);
    }

    @Test
    void cancelledTimersNeverFire() throws Exception {
        int count = 200;
        AtomicInteger cancelledRuns = new AtomicInteger();
        CountDownLatch kept = new CountDownLatch(count / 2);
        List<Timeout> toCancel = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (i % 2 == 0) {
                toCancel.add(loop.schedule(20 + i % 30, TimeUnit.MILLISECONDS, cancelledRuns::incrementAndGet));
            } else {
                loop.schedule(20 + i % 30, TimeUnit.MILLISECONDS, kept::countDown);
            }
        }
        for (Timeout t : toCancel) {
            assertThat(t.cancel()).isTrue();
            assertThat(t.cancel()).isFalse();
        }
        // a sentinel after every deadline: once it ran, every cancelled timer's time has passed
        CountDownLatch sentinel = new CountDownLatch(1);
        loop.schedule(80, TimeUnit.MILLISECONDS, sentinel::countDown);
        assertThat(kept.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sentinel.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(cancelledRuns).hasValue(0);
        assertThat(toCancel).allMatch(Timeout::isCancelled).noneMatch(Timeout::isExpired);
    }

    @Test
    void cancellingOnTheLoopRemovesTheTimerAtOnce() {
        CompletableFuture<int[]> sizes = new CompletableFuture<>();
        loop.execute(() -> {
            List<Timeout> timers = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                timers.add(loop.schedule(1, TimeUnit.HOURS, () -> { }));
            }
            int before = loop.pendingTimers();
            timers.forEach(Timeout::cancel);
            sizes.complete(new int[] {before, loop.pendingTimers()});
        });
        assertThat(sizes.join()).containsExactly(1000, 0);
    }

    @Test
    void dispatchesReadinessAndFollowsInterestChanges() throws Exception {
        Pipe pipe = openPipe();
        AtomicInteger reads = new AtomicInteger();
        ByteBuffer scratch = ByteBuffer.allocate(64);
        IoRegistration reg = loop.register(pipe.source(), SelectionKey.OP_READ, (r, ops) -> {
            scratch.clear();
            ((Pipe.SourceChannel) r.channel()).read(scratch);
            reads.incrementAndGet();
        }).join();

        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        await().until(() -> reads.get() == 1);

        onLoop(() -> reg.interestOps(0));
        pipe.sink().write(ByteBuffer.wrap(new byte[] {2}));
        barrier(); // the loop selected at least once after the write...
        barrier(); // ...and completed that iteration: a ready key would have been handled
        assertThat(reads).hasValue(1);

        onLoop(() -> reg.addInterest(SelectionKey.OP_READ));
        await().until(() -> reads.get() == 2);

        onLoop(reg::cancel);
        assertThat(reg.isValid()).isFalse();
        assertThat(pipe.source().isOpen()).isTrue(); // deregistered, not closed
    }

    @Test
    void interestChangesOffTheLoopAreRefused() throws Exception {
        Pipe pipe = openPipe();
        IoRegistration reg = loop.register(pipe.source(), SelectionKey.OP_READ, (r, ops) -> { }).join();
        assertThatIllegalStateException().isThrownBy(() -> reg.interestOps(0))
                .withMessageContaining("must be called on event loop test-loop");
    }

    @Test
    void handlerThatThrowsHasItsChannelClosedAndTheLoopGoesOn() throws Exception {
        Pipe pipe = openPipe();
        loop.register(pipe.source(), SelectionKey.OP_READ, (r, ops) -> {
            throw new IOException("handler failure (expected by the test)");
        }).join();
        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        await().until(() -> !pipe.source().isOpen());
        CompletableFuture<Boolean> alive = new CompletableFuture<>();
        loop.execute(() -> alive.complete(true));
        assertThat(alive.join()).isTrue();
    }

    @Test
    void stopFromAnotherThreadEndsRunPromptlyAndReleasesEverything() throws Exception {
        Pipe pipe = openPipe();
        CountDownLatch toldStopped = new CountDownLatch(1);
        loop.register(pipe.source(), SelectionKey.OP_READ, new IoHandler() {
            @Override
            public void handleReady(IoRegistration registration, int readyOps) {
            }

            @Override
            public void handleLoopStopped(IoRegistration registration) {
                toldStopped.countDown();
            }
        }).join();
        AtomicInteger lateTimer = new AtomicInteger();
        loop.schedule(1, TimeUnit.HOURS, lateTimer::incrementAndGet);
        barrier(); // the loop is now asleep in select() with nothing due for an hour

        loop.stop();
        thread.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(thread.isAlive()).isFalse();
        assertThat(loop.isTerminated()).isTrue();
        assertThat(toldStopped.getCount()).isZero();
        assertThat(pipe.source().isOpen()).isFalse();
        assertThat(lateTimer).hasValue(0);
        assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> loop.execute(() -> { }))
                .withMessage("event loop test-loop is stopped");
        assertThatExceptionOfType(RejectedExecutionException.class)
                .isThrownBy(() -> loop.schedule(1, TimeUnit.SECONDS, () -> { }));
        assertThat(loop.register(pipe.sink(), SelectionKey.OP_WRITE, (r, o) -> { }))
                .isCompletedExceptionally();
    }

    @Test
    void stopTerminatesEvenWhileATaskKeepsResubmittingItself() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Runnable[] self = new Runnable[1];
        self[0] = () -> {
            runs.incrementAndGet();
            try {
                loop.execute(self[0]);
            } catch (RejectedExecutionException stopped) {
                // expected once the loop has stopped
            }
        };
        loop.execute(self[0]);
        await().until(() -> runs.get() > 100);

        loop.stop();

        assertThat(loop.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        thread.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(thread.isAlive()).isFalse();
    }

    @Test
    void stopWithoutRunClosesTheSelector() throws Exception {
        EventLoop idle = new EventLoop("never-run");
        idle.stop();
        assertThat(idle.awaitTermination(1, TimeUnit.SECONDS)).isTrue();
        assertThatIllegalStateException().isThrownBy(idle::run).withMessageContaining("never-run");
    }

    @Test
    void aLoopStoppedBeforeItsThreadRunsLetsThatThreadEndQuietly() throws Exception {
        EventLoop early = new EventLoop("stopped-early");
        early.stop(); // as a group closed at once would, before its thread calls in
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                early.runUnlessStopped();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        thread.start();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).as("what the loop's thread threw").isNull();
        assertThat(early.isTerminated()).isTrue();
    }

    @Test
    void groupHandsOutLoopsRoundRobinAndShutsThemAllDown() throws Exception {
        EventLoopGroup group = new EventLoopGroup("grp", 3);
        try {
            List<EventLoop> handed = List.of(group.next(), group.next(), group.next(), group.next());
            assertThat(handed.subList(0, 3)).doesNotHaveDuplicates();
            assertThat(handed.get(3)).isSameAs(handed.get(0));
            CompletableFuture<String> name = new CompletableFuture<>();
            handed.get(1).execute(() -> name.complete(Thread.currentThread().getName()));
            assertThat(name.join()).isEqualTo("grp-2");
        } finally {
            group.close();
        }
        assertThat(group.loops()).allMatch(EventLoop::isTerminated);
    }

    private Pipe openPipe() throws IOException {
        Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        pipes.add(pipe);
        return pipe;
    }

    private void onLoop(Runnable action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            action.run();
            done.complete(null);
        });
        done.join();
    }

    /** Returns once the loop has run every task submitted before this call. */
    private void barrier() {
        onLoop(() -> { });
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
