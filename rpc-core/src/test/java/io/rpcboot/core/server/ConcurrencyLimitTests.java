package io.rpcboot.core.server;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The adaptive limit's arithmetic: it grows while calls take their usual time, shrinks when they slow. */
class ConcurrencyLimitTests {

    private static final long MS = 1_000_000L;

    /** Runs {@code n} calls of {@code nanos} each while the limit is in use (as many running as it allows). */
    private static void busy(ConcurrencyLimit.Limiter limiter, int n, long nanos) {
        for (int i = 0; i < n; i++) {
            int admitted = 0;
            while (limiter.tryAcquire()) {
                admitted++;
            }
            for (int j = 0; j < admitted; j++) {
                limiter.release(nanos, true);
            }
        }
    }

    @Test
    void theLimitGrowsWhileCallsKeepTheirTimeAndShrinksWhenTheySlowDown() {
        ConcurrencyLimit.Limiter limiter = new ConcurrencyLimit.Limiter(new ConcurrencyLimit(20, 4, 200, 1.5));
        busy(limiter, 50, 2 * MS);
        int grown = limiter.limit();
        assertThat(grown).as("steady run times: room to grow").isGreaterThan(20);
        busy(limiter, 1, 20 * MS); // ten times slower: saturated downstream
        assertThat(limiter.limit()).as("slowed down: the limit falls at once").isLessThan(grown * 3 / 4);
        // a lasting new run time becomes the usual one (within two baseline windows of calls): the
        // limit may grow again from there
        busy(limiter, 300, 20 * MS);
        assertThat(limiter.limit()).as("the new normal").isGreaterThan(20);
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aMethodWhoseRunTimeVariesIsNotTakenForACongestedOne() {
        // exponential run times (mean 2 ms), always as many running as the limit allows, no queue:
        // noise alone must not shrink the limit to its minimum
        ConcurrencyLimit.Limiter limiter = new ConcurrencyLimit.Limiter(ConcurrencyLimit.DEFAULT);
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 300; round++) {
            int admitted = 0;
            while (limiter.tryAcquire()) {
                admitted++;
            }
            for (int j = 0; j < admitted; j++) {
                limiter.release((long) (-Math.log(1 - random.nextDouble()) * 2 * MS) + 1, true);
            }
        }
        assertThat(limiter.limit()).as("noise is not congestion").isGreaterThanOrEqualTo(ConcurrencyLimit.DEFAULT.initial());
    }

    @Test
    void theLimitStaysWithinItsBoundsAndIsNeverPassed() {
        ConcurrencyLimit.Limiter limiter = new ConcurrencyLimit.Limiter(new ConcurrencyLimit(4, 2, 6, 1.5));
        int admitted = 0;
        while (limiter.tryAcquire()) {
            admitted++;
        }
        assertThat(admitted).isEqualTo(4);
        for (int i = 0; i < admitted; i++) {
            limiter.release(MS, true);
        }
        busy(limiter, 200, MS);
        assertThat(limiter.limit()).isBetween(2, 6);
        busy(limiter, 200, 500 * MS);
        assertThat(limiter.limit()).isBetween(2, 6);
    }

    @Test
    void settingsAreChecked() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ConcurrencyLimit(1, 2, 3, 1.5))
                .withMessageContaining("min <= initial <= max");
        assertThatIllegalArgumentException().isThrownBy(() -> new ConcurrencyLimit(2, 2, 3, 0.5))
                .withMessageContaining("tolerance must be > 1");
    }
}
