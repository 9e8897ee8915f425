package io.rpcboot.core.internal.reactor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link Selector}, one thread: the unit of the Reactor.
 *
 * <pre>
 *  run() ─► loop while running:
 *             select()              block until I/O, a task, a timer deadline, or stop();
 *                                   IoHandler.handleReady for each ready channel, as the selector finds it
 *             runExpiredTimers()    timers whose deadline passed, in deadline order
 *             runTasks()            tasks from execute(), in submission order
 *           closeAll()              handlers told, channels and selector closed, last tasks run
 * </pre>
 *
 * <p>Threads: {@link #run()} is called once, by the thread that becomes the loop's thread (usually
 * from {@link EventLoopGroup}). {@link #execute}, {@link #schedule}, {@link #register} and
 * {@link #stop()} may be called from any thread. Handlers, tasks and timers all run on the loop's
 * thread.
 *
 * <p>Failures: a handler, task or timer that throws is contained: counted
 * ({@link #escapedFailures()}), logged (at most one line a second, saying how many were not), and
 * the loop goes on. After {@value #FAILED_ITERATIONS_BEFORE_BACKOFF} iterations in a row that each
 * contained a failure, the loop pauses before the next one, 1 ms doubling up to 1 s, and a clean
 * iteration ends the pauses: a failure that repeats cannot make the loop spin. A
 * {@link VirtualMachineError} is not contained: the loop ends, closes its channels as {@link #stop()}
 * does (connection handlers hear of it and fail their calls), and {@link #run()} rethrows it.
 *
 * <p>Wake-ups are coalesced: while the loop is awake (or a wake-up is already pending) submitting
 * a task only enqueues it; {@link Selector#wakeup()} is called at most once per sleep.
 */
public final class EventLoop implements Executor {

    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
    private final LongAdder escaped = new LongAdder();

    private static final int NOT_STARTED = 0;
    private static final int RUNNING = 1;
    private static final int STOPPING = 2;
    private static final int STOPPED = 3;

    /** Upper bound on tasks run per iteration so a flood of tasks cannot starve I/O. */
    private static final int MAX_TASKS_PER_ITERATION = 4096;
    /** Iterations in a row with a contained failure before the loop pauses between iterations. */
    static final int FAILED_ITERATIONS_BEFORE_BACKOFF = 3;
    static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** At most one failure log line per this interval; the next says how many were held back. */
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final Selector selector;
    private final Consumer<SelectionKey> onReady = this::processKey;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final TimerQueue timers = new TimerQueue(); // loop thread only
    private final AtomicInteger state = new AtomicInteger(NOT_STARTED);
    /** True while the loop is awake or a wake-up is pending: submitters then need not wake it. */
    private final AtomicBoolean awake = new AtomicBoolean(true);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final LongAdder wakeups = new LongAdder();
    private long timerSequence; // loop thread only
    private int failuresThisIteration; // loop thread only
    private int failedIterations; // loop thread only: in a row
    private long nextLogNanos = System.nanoTime(); // loop thread only
    private long unlogged; // loop thread only
    private @Nullable VirtualMachineError fatal; // loop thread only
    private volatile Thread thread;
    /**
     * Interest changes made from other threads without waking the loop ({@link #changedInterestLazily}):
     * counted, so the loop can see whether any came while it slept.
     */
    private final AtomicLong lazyChanges = new AtomicLong();
    private long lazyChangesSeen; // loop thread only
    /** Set while the loop sleeps without a bound for lazy changes: the next one must wake it. */
    private volatile boolean sleepsUnbounded;

    /**
     * Opens the selector. The loop does nothing until a thread calls {@link #run()}.
     *
     * @throws UncheckedIOException if the selector cannot be opened
     */
    public EventLoop(String name) {
        this.name = Objects.requireNonNull(name, "name");
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for event loop " + name, e);
        }
    }

    public String name() {
        return name;
    }

    /** Whether the calling thread is this loop's thread. */
    public boolean inEventLoop() {
        return Thread.currentThread() == thread;
    }

    /** Throws unless called on the loop's thread. */
    public void checkInEventLoop() {
        if (!inEventLoop()) {
            throw new IllegalStateException("must be called on event loop " + name + ", not on "
                    + Thread.currentThread().getName());
        }
    }

    /** How many times submitters woke the selector: at most one per sleep, however many tasks came. */
    public long wakeups() {
        return wakeups.sum();
    }

    /** Whether {@link #stop()} has been called. */
    public boolean isShuttingDown() {
        return state.get() >= STOPPING;
    }

    /** Whether the loop has finished: its channels and selector are closed. */
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    /**
     * Throwables that reached this loop from a handler, a task or a timer (and were contained: the
     * loop kept running). Every input path is meant to handle its own failures, so anything counted
     * here is a bug; the hostile-peer tests assert it stays 0.
     */
    public long escapedFailures() {
        return escaped.sum();
    }

    /** Counts a failure a component on this loop caught only at its outer edge (see {@link #escapedFailures()}). */
    public void recordEscapedFailure() {
        escaped.increment();
    }

    /**
     * {@link #run()} for a thread started to run this loop: if {@link #stop()} came first (a group
     * closed right after it was made, before its threads got going), there is nothing to run and it
     * returns at once instead of failing.
     */
    public void runUnlessStopped() {
        if (state.get() == STOPPED && thread == null) {
            return;
        }
        run();
    }

    /**
     * Runs the loop on the calling thread until {@link #stop()}, then closes every channel still
     * registered (telling its handler first) and the selector. The same happens when a
     * {@link VirtualMachineError} reaches the loop, which is then rethrown.
     *
     * @throws IllegalStateException if the loop already ran or was stopped
     */
    public void run() {
        if (!state.compareAndSet(NOT_STARTED, RUNNING)) {
            throw new IllegalStateException("event loop " + name + " cannot run: it already ran or was stopped");
        }
        thread = Thread.currentThread();
        try {
            while (state.get() == RUNNING) {
                try {
                    select(); // ready channels are handled inside it, by processKey
                    runExpiredTimers();
                    runTasks();
                } catch (VirtualMachineError e) {
                    fatal = e;
                    break;
                } catch (Throwable t) {
                    contain(t, "an iteration of the loop", this);
                }
                endIteration();
            }
        } finally {
            closeAll();
        }
        VirtualMachineError e = fatal;
        if (e != null) {
            log.error("event loop {} ended on {}: its channels were closed", name, e.toString());
            throw e;
        }
    }

    /** Counts and logs (rate-limited) a throwable the loop contains. Loop thread only. */
    private void contain(Throwable t, String what, Object source) {
        escaped.increment();
        failuresThisIteration++;
        long now = System.nanoTime();
        if (now - nextLogNanos < 0) {
            unlogged++;
            return;
        }
        nextLogNanos = now + LOG_INTERVAL_NANOS;
        long held = unlogged;
        unlogged = 0;
        log.warn("{} {} on event loop {} failed; the loop goes on{}", what, source, name,
                held == 0 ? "" : " (" + held + " more failures in the last second were not logged)", t);
    }

    /** After several failed iterations in a row, pauses before the next; a clean one resets. Loop thread only. */
    private void endIteration() {
        if (failuresThisIteration == 0) {
            failedIterations = 0;
            return;
        }
        failuresThisIteration = 0;
        failedIterations++;
        long pause = backoffNanos(failedIterations);
        long until = System.nanoTime() + pause;
        for (long left = pause; left > 0 && state.get() == RUNNING; left = until - System.nanoTime()) {
            LockSupport.parkNanos(this, left); // stop() unparks
        }
    }

    /** The pause after {@code failedIterations} failed iterations in a row: none, then 1 ms doubling up to 1 s. */
    static long backoffNanos(int failedIterations) {
        if (failedIterations < FAILED_ITERATIONS_BEFORE_BACKOFF) {
            return 0;
        }
        int doublings = Math.min(failedIterations - FAILED_ITERATIONS_BEFORE_BACKOFF, 20);
        return Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << doublings);
    }

    /** Iterations in a row that contained a failure. Loop thread only; for tests. */
    int failedIterations() {
        checkInEventLoop();
        return failedIterations;
    }

    /**
     * Asks the loop to stop; returns at once. Idempotent, any thread. The loop finishes its current
     * iteration, runs the tasks already queued, tells each registered handler
     * ({@link IoHandler#handleLoopStopped}) and closes its channel, closes the selector, and runs the
     * tasks that raced with all this; {@link #awaitTermination} waits for that. From then on
     * {@link #execute} throws {@link RejectedExecutionException}: a task is either run or rejected,
     * never silently dropped.
     */
    public void stop() {
        if (state.compareAndSet(NOT_STARTED, STOPPED)) {
            closeAll(); // never ran: no thread will do it
            return;
        }
        if (state.compareAndSet(RUNNING, STOPPING)) {
            selector.wakeup();
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t); // out of a back-off pause
            }
        }
    }

    /** Waits until the loop has terminated; true if it did within the timeout. */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        if (inEventLoop()) {
            throw new IllegalStateException("awaitTermination called on event loop " + name + " itself would dead-lock");
        }
        return terminated.await(timeout, unit);
    }

    /**
     * Runs {@code task} on the loop, after the tasks already submitted. Never runs it inline.
     *
     * @throws RejectedExecutionException if the loop is stopped
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (state.get() == STOPPED) {
            throw rejected();
        }
        tasks.offer(task);
        if (state.get() == STOPPED && tasks.remove(task)) {
            // lost the race with the final drain in closeAll(): the task will never run
            throw rejected();
        }
        if (!inEventLoop() && awake.compareAndSet(false, true)) {
            wakeups.increment();
            selector.wakeup();
        }
    }

    /**
     * Called by a thread that changed a channel's interest set ({@link IoRegistration#addInterest})
     * and did not wake the loop for it: the change takes effect when the loop next selects. While
     * such changes keep coming, the loop sleeps at most {@link #LAZY_INTEREST_MILLIS} at a time, so
     * a change waits no longer than that; the first change after a quiet spell wakes it. Costs the
     * changer an atomic increment, and the loop about a hundred wake-ups a second while in use.
     */
    public void changedInterestLazily() {
        lazyChanges.incrementAndGet();
        // the loop sets sleepsUnbounded before its last look at lazyChanges, we the reverse: one sees the other
        if (sleepsUnbounded) {
            sleepsUnbounded = false;
            wakeup();
        }
    }

    /**
     * Wakes the loop from its select without a task, so that interest changes made from another
     * thread ({@link IoRegistration#addInterest}) take effect now. Coalesced like {@link #execute}.
     */
    public void wakeup() {
        if (!inEventLoop() && awake.compareAndSet(false, true)) {
            wakeups.increment();
            selector.wakeup();
        }
    }

    /** The longest sleep while lazy interest changes come, in milliseconds. */
    static final long LAZY_INTEREST_MILLIS = 10;

    /** Loop thread, before a select: whether lazy interest changes came since the last one (bound the sleep then). */
    private boolean lazyChangesCame() {
        long now = lazyChanges.get();
        if (now == lazyChangesSeen) {
            sleepsUnbounded = true;
            now = lazyChanges.get();
            if (now == lazyChangesSeen) {
                return false;
            }
            sleepsUnbounded = false;
        }
        lazyChangesSeen = now;
        return true;
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("event loop " + name + " is stopped");
    }

    /**
     * Runs {@code task} once on the loop after {@code delay}. Timers fire in deadline order; two with
     * the same deadline fire in the order they were scheduled.
     *
     * @throws RejectedExecutionException if the loop is stopped
     */
    public Timeout schedule(long delay, TimeUnit unit, Runnable task) {
        Objects.requireNonNull(task, "task");
        long deadline = System.nanoTime() + Math.max(0, unit.toNanos(delay));
        Timeout t = new Timeout(this, task, deadline);
        if (inEventLoop()) {
            addTimer(t);
        } else {
            // added on the loop, in submission order, which also orders equal deadlines
            execute(() -> addTimer(t));
        }
        return t;
    }

    private void addTimer(Timeout t) {
        if (!t.isCancelled()) {
            t.sequence = timerSequence++;
            timers.add(t);
        }
    }

    /** Timers queued and not yet fired or cancelled. Loop thread only. */
    public int pendingTimers() {
        checkInEventLoop();
        return timers.size();
    }

    void removeTimer(Timeout t) {
        if (inEventLoop()) {
            timers.remove(t);
        } else if (!isShuttingDown()) {
            try {
                execute(() -> timers.remove(t));
            } catch (RejectedExecutionException ignored) {
                // the loop is gone, and its timers with it
            }
        }
    }

    /**
     * Registers {@code channel} (non-blocking) with {@code ops} and {@code handler}. Completes on the
     * loop; fails with {@link RejectedExecutionException} if the loop is stopped, or with the
     * registration error. The caller still owns the channel if the future fails.
     */
    public CompletableFuture<IoRegistration> register(SelectableChannel channel, int ops, IoHandler handler) {
        CompletableFuture<IoRegistration> result = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                result.complete(registerNow(channel, ops, handler));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        };
        if (inEventLoop()) {
            task.run();
        } else {
            try {
                execute(task);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(e);
            }
        }
        return result;
    }

    /** Registers on the loop's own thread and returns the registration at once. */
    public IoRegistration registerNow(SelectableChannel channel, int ops, IoHandler handler) throws ClosedChannelException {
        checkInEventLoop();
        if (isShuttingDown()) {
            throw rejected();
        }
        SelectionKey key = channel.register(selector, ops);
        IoRegistration registration = new IoRegistration(this, key, handler);
        key.attach(registration);
        return registration;
    }

    private void select() throws IOException {
        awake.set(false);
        if (!tasks.isEmpty() || state.get() != RUNNING) {
            awake.set(true);
            selector.selectNow(onReady);
            return;
        }
        Timeout next = timers.peek();
        boolean bounded = lazyChangesCame();
        if (next == null && !bounded) {
            selector.select(onReady);
        } else {
            long delayNanos = next == null ? Long.MAX_VALUE : next.deadlineNanos - System.nanoTime();
            if (bounded) {
                delayNanos = Math.min(delayNanos, TimeUnit.MILLISECONDS.toNanos(LAZY_INTEREST_MILLIS));
            }
            if (delayNanos <= 0) {
                selector.selectNow(onReady);
            } else {
                selector.select(onReady, Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos + 999_999)));
            }
        }
        sleepsUnbounded = false;
        awake.set(true);
    }

    /**
     * Handles one ready channel; called by the selector during {@link #select()}. The selector's
     * action form is used (not the selected-key set) because the set costs a hash node per ready
     * channel per wake-up.
     */
    private void processKey(SelectionKey key) {
        if (!awake.get()) {
            awake.set(true); // working now: submitters need not wake the selector
        }
        IoRegistration registration = (IoRegistration) key.attachment();
        if (!key.isValid()) {
            return;
        }
        int readyOps;
        try {
            readyOps = key.readyOps();
        } catch (CancelledKeyException e) {
            return;
        }
        IoHandler handler = registration.handler();
        try {
            handler.handleReady(registration, readyOps);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            contain(t, "I/O handler", handler);
            try {
                handler.handleFailure(registration, t); // closes its channel
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t2) {
                log.warn("I/O handler {} failed while handling its own failure", handler, t2);
                registration.cancelAndClose();
            }
        }
    }

    private void runExpiredTimers() {
        long now = System.nanoTime();
        Timeout t;
        while ((t = timers.peek()) != null && t.deadlineNanos - now <= 0) {
            timers.poll();
            if (t.markFired()) {
                safeRun(t.task());
            }
        }
    }

    private void runTasks() {
        for (int i = 0; i < MAX_TASKS_PER_ITERATION; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            safeRun(task);
        }
    }

    /** Runs a task or timer, containing what it throws but a {@link VirtualMachineError}. */
    private void safeRun(Runnable task) {
        try {
            task.run();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            contain(t, "task", task);
        }
    }

    /** While closing: runs a task; a {@link VirtualMachineError} is kept for {@link #run()} to rethrow, the closing goes on. */
    private void runWhileClosing(Runnable task) {
        try {
            safeRun(task);
        } catch (VirtualMachineError e) {
            if (fatal == null) {
                fatal = e;
            }
        }
    }

    /** Loop thread (or the stopping thread if the loop never ran): release everything. */
    private void closeAll() {
        try {
            // work queued before stop() still runs (it may release resources); bounded, so a task that
            // keeps re-submitting itself cannot hold the loop open
            runQueuedTasks(tasks.size());
            List<SelectionKey> keys;
            try {
                keys = new ArrayList<>(selector.keys());
            } catch (ClosedSelectorException e) {
                keys = List.of();
            }
            for (SelectionKey key : keys) {
                IoRegistration registration = (IoRegistration) key.attachment();
                if (registration != null) {
                    try {
                        registration.handler().handleLoopStopped(registration);
                    } catch (Throwable t) {
                        log.warn("handler {} failed while event loop {} stopped", registration.handler(), name, t);
                    }
                }
                closeQuietly(key);
            }
            timers.clear();
            try {
                selector.close();
            } catch (IOException e) {
                log.debug("closing the selector of event loop {} failed", name, e);
            }
        } finally {
            state.set(STOPPED);
            drainTasks(); // tasks that raced with stop(): run them so no hand-off is lost
            terminated.countDown();
            log.debug("event loop {} terminated", name);
        }
    }

    private void runQueuedTasks(int count) {
        for (int i = 0; i < count; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            runWhileClosing(task);
        }
    }

    private void drainTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            runWhileClosing(task);
        }
    }

    private static void closeQuietly(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException e) {
            log.debug("closing {} failed", key.channel(), e);
        }
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + "]";
    }
}
