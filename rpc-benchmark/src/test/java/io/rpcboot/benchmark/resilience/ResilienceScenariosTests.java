package io.rpcboot.benchmark.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.rpcboot.benchmark.resilience.ResilienceScenarios.BlackHoleResult;
import io.rpcboot.benchmark.resilience.ResilienceScenarios.BudgetResult;
import io.rpcboot.benchmark.resilience.ResilienceScenarios.ConcurrencyResult;
import io.rpcboot.benchmark.resilience.ResilienceScenarios.RateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resilience targets of the resilience issue, on real servers, bounded in calls and time. What
 * a count decides is asserted exactly (success rates, calls served, retries sent). What a latency
 * decides is asserted as a ratio of two figures measured side by side in the same run (medians of
 * rounds), with this repeat policy for a shared, noisy machine: a scenario that misses its ratio
 * runs again, at most three times in all, and passes if one run meets it; every run's figures are
 * in the failure message. docs/benchmarks.md quotes the figures of {@link ResilienceScenarios#main}.
 */
@Timeout(600)
class ResilienceScenariosTests {

    private static final int ATTEMPTS = 3;

    /** Runs {@code scenario} until {@code met} holds, at most {@link #ATTEMPTS} times; returns every run. */
    private static <R> List<R> upTo(Supplier<R> scenario, Predicate<R> met) {
        List<R> runs = new ArrayList<>();
        for (int i = 0; i < ATTEMPTS; i++) {
            R r = scenario.get();
            runs.add(r);
            if (met.test(r)) {
                break;
            }
        }
        return runs;
    }

    @Test
    void aBlackHoleAndASlowProviderAreEjectedAndCallsKeepTheHealthyLatency() {
        // 5,000 calls a round after the first second, 5 rounds, 8 callers; timeout 300 ms, idempotent
        List<BlackHoleResult> runs = upTo(() -> ResilienceScenarios.blackHoleAndSlow(5_000, 8, 5),
                r -> r.mixedP99() <= 2 * r.aloneP99());
        BlackHoleResult last = runs.get(runs.size() - 1);
        for (BlackHoleResult r : runs) {
            assertThat(r.worstSuccessRate()).as("calls that succeeded, worst round: %s", r).isGreaterThanOrEqualTo(0.999);
            assertThat(r.ejections()).as("the black hole and the slow one were ejected").isEqualTo(2);
        }
        assertThat(last.mixedP99()).as("p99 among the three vs the healthy one alone, runs: %s", runs)
                .isLessThanOrEqualTo(2 * last.aloneP99());
    }

    @Test
    void aRateLimitedMethodServesItsRateUnderFourTimesTheLoad() {
        RateResult r = ResilienceScenarios.rateLimit(200, 4, Duration.ofSeconds(10), false);
        assertThat(r.servedPerSecond()).as("%s", r).isBetween(200 * 0.95, 200 * 1.05);
        assertThat(r.overloaded()).as("the rest were refused OVERLOADED: %s", r).isEqualTo(r.sent() - r.served());
        assertThat(r.otherFailures()).isZero();
    }

    @Test
    void callsARateLimitRefusesAreServedByAnotherInstance() {
        RateResult r = ResilienceScenarios.rateLimit(200, 4, Duration.ofSeconds(10), true);
        assertThat(r.servedPerSecond()).as("%s", r).isBetween(200 * 0.95, 200 * 1.05);
        assertThat(r.overloaded() + r.otherFailures()).as("every refused call went to the other instance: %s", r).isZero();
        assertThat(r.served() + r.servedElsewhere()).isEqualTo(r.sent());
    }

    @Test
    void theConcurrencyLimitKeepsAdmittedCallsNearTheirUnloadedLatencyAndRefusesTheRestFast() {
        // 4 calls at a time, 20 ms each: 200 calls a second; offered 800 a second for 3 s (after 1 s)
        List<ConcurrencyResult> runs = upTo(() -> ResilienceScenarios.concurrencyLimit(4, 20, 4, Duration.ofSeconds(3),
                true), r -> r.admitted().p99Micros() <= 2 * r.unloaded().p99Micros()
                && r.refusedP99Micros() < r.unloaded().p50Micros() / 10); // a noisy run is run again, for both figures
        ConcurrencyResult last = runs.get(runs.size() - 1);
        assertThat(last.admitted().p99Micros()).as("admitted p99 vs unloaded p99, runs: %s", runs)
                .isLessThanOrEqualTo(2 * last.unloaded().p99Micros());
        assertThat(last.refused()).as("the excess was refused").isGreaterThan(last.sent() / 2);
        assertThat(last.refusedP99Micros()).as("refused at once: p99 of a refusal vs the method's 20 ms, runs: %s", runs)
                .isLessThan(last.unloaded().p50Micros() / 10);
    }

    @Test
    void aFailingIdempotentServiceGetsNoMoreRetriesThanTheBudget() {
        BudgetResult r = ResilienceScenarios.retryBudget(4_000, 8);
        // the budget's check and count race between callers: at most one extra retry per caller
        assertThat((long) r.retries()).as("%s", r).isLessThanOrEqualTo(r.allowed() + 8).isPositive();
        assertThat(r.reached()).as("without the budget there would be %d tries", r.unbudgeted())
                .isLessThan(r.unbudgeted() / 2);
        assertThat(r.refused()).isPositive();
    }
}
