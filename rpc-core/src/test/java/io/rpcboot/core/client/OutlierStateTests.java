package io.rpcboot.core.client;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** One address's ejections, on a clock the test moves. */
class OutlierStateTests {

    private static final long NOW = 1_000_000_000_000L;

    private static long seconds(long s) {
        return Duration.ofSeconds(s).toNanos();
    }

    @Test
    void ejectionsGrowWhenAnAddressFailsAgainAndASuccessResetsTheCount() {
        OutlierDetection.State state = new OutlierDetection.State(
                new OutlierDetection(2, Duration.ofSeconds(10), Duration.ofSeconds(25), 50));
        assertThat(state.failed(NOW)).isFalse();
        state.succeeded();
        assertThat(state.failed(NOW)).isFalse();
        assertThat(state.failed(NOW)).as("two in a row").isTrue();
        assertThat(state.probeSucceeded(NOW + seconds(9))).as("a probe before the ejection is over").isFalse();
        assertThat(state.isEjected()).isTrue();
        long back = NOW + seconds(10);
        assertThat(state.probeSucceeded(back)).isTrue();
        assertThat(state.isEjected()).isFalse();
        state.failed(back);
        assertThat(state.failed(back)).isTrue();
        assertThat(state.probeSucceeded(back + seconds(19))).as("20 s the second time").isFalse();
        long third = back + seconds(20);
        assertThat(state.probeSucceeded(third)).isTrue();
        state.failed(third);
        state.failed(third);
        assertThat(state.probeSucceeded(third + seconds(24))).as("capped at 25 s").isFalse();
        assertThat(state.probeSucceeded(third + seconds(25))).isTrue();
        assertThat(state.ejections()).isEqualTo(3);
    }

    @Test
    void anEjectionOutlastsItsTimeUntilAProbeSucceeds() {
        OutlierDetection.State state = new OutlierDetection.State(
                new OutlierDetection(1, Duration.ofSeconds(10), Duration.ofSeconds(10), 50));
        assertThat(state.failed(NOW)).isTrue();
        assertThat(state.isEjected()).as("an hour later, no probe has succeeded yet").isTrue();
        assertThat(state.failed(NOW + seconds(3600))).as("a failure while ejected ejects nothing more").isFalse();
        assertThat(state.probeSucceeded(NOW + seconds(3600))).isTrue();
        assertThat(state.isEjected()).isFalse();
    }

    @Test
    void aHighFailureRateEjectsAnAddressThatNeverFailsTwiceInARow() {
        OutlierDetection rate = new OutlierDetection(5, Duration.ofSeconds(30), Duration.ofMinutes(5), 50, 40, 20,
                Duration.ofSeconds(10), Duration.ZERO);
        OutlierDetection.State state = new OutlierDetection.State(rate);
        // one failure in every two tries: never 5 in a row, but 50% >= 40% once 20 tries are in
        boolean ejected = false;
        int tries = 0;
        while (!ejected && tries < 100) {
            state.succeeded();
            ejected = state.failed(NOW + tries);
            tries += 2;
        }
        assertThat(ejected).isTrue();
        // the interval opened at the first failure: 11 failures and 10 successes, the first 21 >= 20
        assertThat(tries).as("tries made, 2 a round, when it was ejected").isEqualTo(22);
    }

    @Test
    void aLowFailureRateOrOneSpreadOverManyIntervalsEjectsNothing() {
        OutlierDetection rate = new OutlierDetection(0, Duration.ofSeconds(30), Duration.ofMinutes(5), 50, 40, 20,
                Duration.ofSeconds(10), Duration.ZERO);
        OutlierDetection.State low = new OutlierDetection.State(rate);
        for (int i = 0; i < 1000; i++) {
            for (int s = 0; s < 3; s++) {
                low.succeeded();
            }
            assertThat(low.failed(NOW + i)).as("25%% failed, under 40%%").isFalse();
        }
        OutlierDetection.State spread = new OutlierDetection.State(rate);
        for (int i = 0; i < 100; i++) {
            // every failure lands in a new interval: never 20 tries in one
            assertThat(spread.failed(NOW + i * seconds(11))).isFalse();
        }
    }
}
