package io.rpcboot.core.client;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The retry budget's arithmetic, on a clock the test moves. */
class RetryBudgetTests {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void retriesAreAFractionOfCallsPlusAFloor() {
        RetryBudget.Ledger ledger = new RetryBudget.Ledger(new RetryBudget(0.2, 1, Duration.ofSeconds(10)));
        long now = 1_000 * SECOND;
        for (int i = 0; i < 100; i++) {
            ledger.called(now);
        }
        int allowed = 0;
        while (ledger.tryRetry(now)) {
            allowed++;
        }
        assertThat(allowed).as("20% of 100 calls, plus 1 a second over 10 s").isEqualTo(30);
    }

    @Test
    void callsAndRetriesOlderThanTheWindowNoLongerCount() {
        RetryBudget.Ledger ledger = new RetryBudget.Ledger(new RetryBudget(0.5, 0, Duration.ofSeconds(2)));
        long now = 5_000 * SECOND;
        for (int i = 0; i < 10; i++) {
            ledger.called(now);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(ledger.tryRetry(now)).isTrue();
        }
        assertThat(ledger.tryRetry(now)).isFalse();
        // two seconds on: the old calls and retries have left the window
        long later = now + 2 * SECOND;
        assertThat(ledger.tryRetry(later)).isFalse();
        ledger.called(later);
        ledger.called(later);
        assertThat(ledger.tryRetry(later)).isTrue();
        assertThat(ledger.tryRetry(later)).isFalse();
    }

    @Test
    void aQuietClientStillGetsItsFloor() {
        RetryBudget.Ledger ledger = new RetryBudget.Ledger(new RetryBudget(0.2, 2, Duration.ofSeconds(1)));
        long now = 77 * SECOND;
        assertThat(ledger.tryRetry(now)).isTrue();
        assertThat(ledger.tryRetry(now)).isTrue();
        assertThat(ledger.tryRetry(now)).isFalse();
    }

    @Test
    void settingsAreChecked() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RetryBudget(1.5, 0, Duration.ofSeconds(10)))
                .withMessageContaining("ratio must be 0..1");
        assertThatIllegalArgumentException().isThrownBy(() -> new RetryBudget(0.1, -1, Duration.ofSeconds(10)))
                .withMessageContaining("minPerSecond");
        assertThatIllegalArgumentException().isThrownBy(() -> new RetryBudget(0.1, 1, Duration.ofMillis(10)))
                .withMessageContaining("window must be 1s..10m");
    }
}
