package io.rpcboot.core.client;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** One address's ejections, on a clock the test moves. */
class OutlierStateTests {

    @Test
    void ejectionsGrowWhenAnAddressFailsAgainAndASuccessResetsTheCount() {
        OutlierDetection.State state = new OutlierDetection.State(
                new OutlierDetection(2, Duration.ofSeconds(10), Duration.ofSeconds(25), 50));
        long now = 1_000_000_000_000L;
        assertThat(state.failed(now)).isFalse();
        state.succeeded();
        assertThat(state.failed(now)).isFalse();
        assertThat(state.failed(now)).as("two in a row").isTrue();
        assertThat(state.isEjected(now + Duration.ofSeconds(9).toNanos())).isTrue();
        long back = now + Duration.ofSeconds(10).toNanos();
        assertThat(state.isEjected(back)).isFalse();
        state.failed(back);
        assertThat(state.failed(back)).isTrue();
        assertThat(state.isEjected(back + Duration.ofSeconds(19).toNanos())).as("20 s the second time").isTrue();
        long third = back + Duration.ofSeconds(20).toNanos();
        assertThat(state.isEjected(third)).isFalse();
        state.failed(third);
        state.failed(third);
        assertThat(state.isEjected(third + Duration.ofSeconds(24).toNanos())).as("capped at 25 s").isTrue();
        assertThat(state.isEjected(third + Duration.ofSeconds(25).toNanos())).isFalse();
    }
}
