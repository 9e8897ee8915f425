package io.rpcboot.core.server;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static io.rpcboot.core.server.AdaptiveExecution.FIRST_HOLD_OFF_NANOS;
import static io.rpcboot.core.server.AdaptiveExecution.WINDOW;
import static org.assertj.core.api.Assertions.assertThat;

/** The rules of {@link AdaptiveExecution}, on a clock of the test's own (run times and "now" are given). */
class AdaptiveExecutionTests {

    private static final boolean FAST = false;
    private static final boolean SLOW = true;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Counter toLoop = registry.counter("to", "where", "loop");
    private final Counter toPool = registry.counter("to", "where", "pool");
    /** Created before {@code now}: no hold-off at first. */
    private final AdaptiveExecution adaptive = new AdaptiveExecution("Svc.m()", toLoop, toPool);
    private long now = System.nanoTime();

    private void poolRuns(int count, boolean slow) {
        for (int i = 0; i < count; i++) {
            adaptive.ranOnPool(slow, now);
        }
    }

    /** A fast run, or one that held the loop long enough to move the method at once. */
    private void loopRun(boolean slow) {
        long nanos = slow ? AdaptiveExecution.LONG_NANOS : 50_000;
        adaptive.ranOnLoop(slow, nanos, now - nanos, now);
    }

    /** A slow run on the loop that held it 3 ms (less than {@link AdaptiveExecution#LONG_NANOS}), ending now. */
    private void shortSlowLoopRun() {
        long nanos = 3_000_000;
        adaptive.ranOnLoop(true, nanos, now - nanos, now);
    }

    @Test
    void aNewMethodRunsOnThePoolUntilAWholeWindowWasFast() {
        assertThat(adaptive.onLoop()).as("the first call of a method never seen").isFalse();
        poolRuns(WINDOW - 1, FAST);
        assertThat(adaptive.onLoop()).isFalse();
        poolRuns(1, FAST);
        assertThat(adaptive.onLoop()).isTrue();
        assertThat(toLoop.count()).isEqualTo(1);
        assertThat(toPool.count()).isZero();
    }

    @Test
    void largeOrCompressedBodiesAreDecodedOnThePoolWhereverTheMethodRuns() {
        assertThat(adaptive.onLoop(100, false)).isFalse();
        poolRuns(WINDOW, FAST);
        assertThat(adaptive.onLoop(100, false)).isTrue();
        assertThat(adaptive.onLoop(AdaptiveExecution.LOOP_MAX_BODY, false)).isTrue();
        assertThat(adaptive.onLoop(AdaptiveExecution.LOOP_MAX_BODY + 1, false)).isFalse();
        assertThat(adaptive.onLoop(100, true)).isFalse();
    }

    @Test
    void aMethodThatBlocksNowAndThenStaysOnThePool() {
        for (int window = 0; window < 5; window++) { // two slow runs in every 1,000
            poolRuns(WINDOW / 2 - 1, FAST);
            poolRuns(1, SLOW);
            poolRuns(WINDOW / 2 - 1, FAST);
            poolRuns(1, SLOW);
            assertThat(adaptive.onLoop()).as("window %d", window).isFalse();
        }
        assertThat(toLoop.count()).isZero();
        poolRuns(WINDOW - 1, FAST); // one slow run is allowed (a thread descheduled mid-run)
        poolRuns(1, SLOW);
        assertThat(adaptive.onLoop()).isTrue();
    }

    @Test
    void aLongRunOnTheLoopMovesItBackHeldOffLongerEachTime() {
        poolRuns(WINDOW, FAST);
        loopRun(FAST);
        assertThat(adaptive.onLoop()).as("fast runs on the loop keep it there").isTrue();

        loopRun(SLOW); // held the loop 20 ms
        assertThat(adaptive.onLoop()).isFalse();
        assertThat(toPool.count()).isEqualTo(1);
        poolRuns(WINDOW, FAST);
        assertThat(adaptive.onLoop()).as("within the first hold-off (1 s)").isFalse();
        now += FIRST_HOLD_OFF_NANOS;
        poolRuns(WINDOW, FAST);
        assertThat(adaptive.onLoop()).as("after it").isTrue();

        twoShortSlowLoopRuns(); // short slow runs move it as a long one does
        now += FIRST_HOLD_OFF_NANOS + FIRST_HOLD_OFF_NANOS / 2;
        poolRuns(WINDOW, FAST);
        assertThat(adaptive.onLoop()).as("the second hold-off is 2 s").isFalse();
        now += FIRST_HOLD_OFF_NANOS / 2;
        poolRuns(WINDOW, FAST);
        assertThat(adaptive.onLoop()).isTrue();
        assertThat(adaptive.pinned()).isFalse();
        assertThat(toLoop.count()).isEqualTo(3);
        assertThat(toPool.count()).isEqualTo(2);
    }

    @Test
    void aRunThatHeldTheLoopAHundredMillisecondsKeepsItOnThePoolForGood() {
        poolRuns(WINDOW, FAST);
        long nanos = AdaptiveExecution.BLOCKED_FOR_GOOD_NANOS;
        adaptive.ranOnLoop(true, nanos, now - nanos, now); // it blocked there
        assertThat(adaptive.onLoop()).isFalse();
        assertThat(adaptive.pinned()).isTrue();
        for (int i = 0; i < 5; i++) {
            now += TimeUnit.MINUTES.toNanos(10);
            poolRuns(WINDOW, FAST);
            assertThat(adaptive.onLoop()).as("window %d, long after any hold-off", i).isFalse();
        }
        assertThat(toLoop.count()).isEqualTo(1);
        assertThat(toPool.count()).isEqualTo(1);
    }

    /** Two short slow runs on the loop, 10 runs apart: the second moves the method back. */
    private void twoShortSlowLoopRuns() {
        for (int i = 0; i < AdaptiveExecution.FORGIVE_AFTER; i++) {
            loopRun(FAST);
        }
        shortSlowLoopRun(); // forgiven
        now += 10_000_000;
        for (int i = 0; i < 10; i++) {
            loopRun(FAST);
        }
        shortSlowLoopRun();
    }

    @Test
    void theFifthMoveBackKeepsItOnThePoolUnlessItSpentAnHourOnTheLoopBetween() {
        poolRuns(WINDOW, FAST);
        for (int move = 1; move <= AdaptiveExecution.MAX_MOVES_BACK - 1; move++) {
            loopRun(SLOW);
            now += AdaptiveExecution.MAX_HOLD_OFF_NANOS;
            poolRuns(WINDOW, FAST);
            assertThat(adaptive.onLoop()).as("back on the loop after move %d", move).isTrue();
        }
        now += AdaptiveExecution.FORGET_MOVES_NANOS; // an hour on the loop: the four moves are forgotten
        for (int move = 1; move <= AdaptiveExecution.MAX_MOVES_BACK - 1; move++) {
            loopRun(SLOW);
            now += AdaptiveExecution.MAX_HOLD_OFF_NANOS;
            poolRuns(WINDOW, FAST);
            assertThat(adaptive.onLoop()).as("back on the loop after move %d of the second hour", move).isTrue();
        }
        twoShortSlowLoopRuns(); // the fifth move within the hour: short slow runs count too
        assertThat(adaptive.pinned()).isTrue();
        now += TimeUnit.HOURS.toNanos(2);
        poolRuns(WINDOW, FAST);
        assertThat(adaptive.onLoop()).isFalse();
    }

    @Test
    void theHoldOffStopsGrowingAtFiveMinutes() {
        poolRuns(WINDOW, FAST);
        for (int i = 0; i < 20; i++) { // 2^20 s without the cap
            loopRun(SLOW);
            now += AdaptiveExecution.MAX_HOLD_OFF_NANOS;
            poolRuns(WINDOW, FAST);
            assertThat(adaptive.onLoop()).as("move %d", i).isTrue();
            now += AdaptiveExecution.FORGET_MOVES_NANOS; // each time an hour on the loop: no move is held against it
        }
        assertThat(adaptive.pinned()).isFalse();
    }

    @Test
    void whileOneLoopHasBeenInTheMethodLongTheOtherLoopsSendItsCallsToThePool() {
        poolRuns(WINDOW, FAST);
        long started = System.nanoTime();
        adaptive.enteredLoop(started);
        assertThat(adaptive.onLoop(100, false)).as("a run that began just now").isTrue();
        adaptive.leftLoop(started);

        long longAgo = System.nanoTime() - AdaptiveExecution.LONG_NANOS;
        adaptive.enteredLoop(longAgo);
        assertThat(adaptive.onLoop(100, false)).as("a loop has been in it 20 ms").isFalse();
        assertThat(adaptive.onLoop()).as("not moved: that run's own judgement moves it").isTrue();
        adaptive.leftLoop(started); // a run that is not the marked one ends: the mark stays
        assertThat(adaptive.onLoop(100, false)).isFalse();
        adaptive.leftLoop(longAgo);
        assertThat(adaptive.onLoop(100, false)).as("that run ended").isTrue();
        assertThat(toPool.count()).isZero();
    }

    @Test
    void aShortSlowRunAfterAHundredGoodOnesIsForgivenASecondSoonAfterIsNot() {
        poolRuns(WINDOW, FAST);
        shortSlowLoopRun();
        assertThat(adaptive.onLoop()).as("a hiccup right after the move: a safepoint looks like one").isTrue();
        now += 10_000_000;
        for (int i = 0; i < AdaptiveExecution.FORGIVE_AFTER - 1; i++) {
            loopRun(FAST);
        }
        shortSlowLoopRun();
        assertThat(adaptive.onLoop()).as("a second within 100 runs: it blocks now and then").isFalse();
        assertThat(toPool.count()).isEqualTo(1);
    }

    @Test
    void slowRunsOnTwoLoopsAtOnceAreOnePause() {
        poolRuns(WINDOW, FAST);
        long nanos = 3_000_000;
        adaptive.ranOnLoop(true, nanos, now - nanos, now); // forgiven
        adaptive.ranOnLoop(true, nanos, now - nanos + 10, now + 10); // another loop, the same pause
        assertThat(adaptive.onLoop()).isTrue();
        now += 10_000_000;
        shortSlowLoopRun();
        assertThat(adaptive.onLoop()).as("a slow run after the pause, with no good runs between").isFalse();
    }

    @Test
    void aMethodSlowOnEveryCallLeavesTheLoopAtItsSecondCallHoweverRare() {
        poolRuns(WINDOW, FAST);
        for (int i = 0; i < AdaptiveExecution.FORGIVE_AFTER; i++) {
            loopRun(FAST);
        }
        shortSlowLoopRun(); // its cache went cold: every call blocks 15 ms from now on
        now += TimeUnit.SECONDS.toNanos(1); // one call a second
        shortSlowLoopRun();
        assertThat(adaptive.onLoop()).isFalse();
    }

    @Test
    void runsQueuedBeforeAMoveDoNotCountOnceOnTheLoop() {
        poolRuns(WINDOW, FAST);
        poolRuns(WINDOW, SLOW); // calls that waited in the queue when it moved
        assertThat(adaptive.onLoop()).isTrue();
        assertThat(toPool.count()).isZero();
    }
}
