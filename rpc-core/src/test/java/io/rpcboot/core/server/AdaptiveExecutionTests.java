package io.rpcboot.core.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static io.rpcboot.core.server.AdaptiveExecution.FIRST_HOLD_OFF_NANOS;
import static io.rpcboot.core.server.AdaptiveExecution.SLOW_NANOS;
import static io.rpcboot.core.server.AdaptiveExecution.WINDOW;
import static org.assertj.core.api.Assertions.assertThat;

/** The rules of {@link AdaptiveExecution}, on a clock of the test's own (run times and "now" are given). */
class AdaptiveExecutionTests {

    private static final long FAST = 50_000; // 50 µs

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Counter toLoop = registry.counter("to", "where", "loop");
    private final Counter toPool = registry.counter("to", "where", "pool");
    /** Created before {@code now}: no hold-off at first. */
    private final AdaptiveExecution adaptive = new AdaptiveExecution("Svc.m()", toLoop, toPool);
    private long now = System.nanoTime();

    private void poolRuns(int count, long nanos) {
        for (int i = 0; i < count; i++) {
            adaptive.ranOnPool(nanos, now);
        }
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
            poolRuns(1, SLOW_NANOS);
            poolRuns(WINDOW / 2 - 1, FAST);
            poolRuns(1, 10 * SLOW_NANOS);
            assertThat(adaptive.onLoop()).as("window %d", window).isFalse();
        }
        assertThat(toLoop.count()).isZero();
        poolRuns(WINDOW - 1, FAST); // one slow run is allowed (a thread descheduled mid-run)
        poolRuns(1, SLOW_NANOS);
        assertThat(adaptive.onLoop()).isTrue();
    }

    @Test
    void oneSlowRunOnTheLoopMovesItBackHeldOffLongerEachTime() {
        poolRuns(WINDOW, FAST);
        adaptive.ranOnLoop(SLOW_NANOS - 1, now);
        assertThat(adaptive.onLoop()).as("fast runs on the loop keep it there").isTrue();

        adaptive.ranOnLoop(SLOW_NANOS, now);
        assertThat(adaptive.onLoop()).isFalse();
        assertThat(toPool.count()).isEqualTo(1);
        poolRuns(WINDOW, FAST);
        assertThat(adaptive.onLoop()).as("within the first hold-off (1 s)").isFalse();
        now += FIRST_HOLD_OFF_NANOS;
        poolRuns(WINDOW, FAST);
        assertThat(adaptive.onLoop()).as("after it").isTrue();

        adaptive.ranOnLoop(SLOW_NANOS, now);
        now += FIRST_HOLD_OFF_NANOS + FIRST_HOLD_OFF_NANOS / 2;
        poolRuns(WINDOW, FAST);
        assertThat(adaptive.onLoop()).as("the second hold-off is 2 s").isFalse();
        now += FIRST_HOLD_OFF_NANOS / 2;
        poolRuns(WINDOW, FAST);
        assertThat(adaptive.onLoop()).isTrue();
        assertThat(toLoop.count()).isEqualTo(3);
        assertThat(toPool.count()).isEqualTo(2);
    }

    @Test
    void theHoldOffStopsGrowingAtFiveMinutes() {
        poolRuns(WINDOW, FAST);
        for (int i = 0; i < 20; i++) { // 2^20 s without the cap
            adaptive.ranOnLoop(SLOW_NANOS, now);
            now += AdaptiveExecution.MAX_HOLD_OFF_NANOS;
            poolRuns(WINDOW, FAST);
            assertThat(adaptive.onLoop()).as("move %d", i).isTrue();
        }
    }

    @Test
    void runsQueuedBeforeAMoveDoNotCountOnceOnTheLoop() {
        poolRuns(WINDOW, FAST);
        poolRuns(WINDOW, 100 * SLOW_NANOS); // calls that waited in the queue when it moved
        assertThat(adaptive.onLoop()).isTrue();
        assertThat(toPool.count()).isZero();
    }
}
