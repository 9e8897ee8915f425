package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.rpcboot.annotation.RpcMethodOptions;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.MethodConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.client.RpcClient.MethodInfo;
import io.rpcboot.core.client.RpcClient.SettingSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Per-method settings: {@link RpcMethodOptions} on the interface, {@link ReferenceConfig#methods()}
 * over it, the reference's and the client's settings under both.
 */
@Timeout(60)
class MethodSettingsTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    private static final io.rpcboot.core.client.OutlierDetection NO_EJECTION = new io.rpcboot.core.client.OutlierDetection(
            0, Duration.ofSeconds(1), Duration.ofSeconds(1), 0);

    public interface Ledger {
        @RpcMethodOptions(idempotent = true, retries = 1)
        String read(String key);

        String write(String key);

        @RpcMethodOptions(timeout = "150ms")
        String slow();

        String find(long id);

        String find(String name);
    }

    static final class Books implements Ledger {
        private final CountDownLatch never = new CountDownLatch(1);

        @Override
        public String read(String key) {
            return "r:" + key;
        }

        @Override
        public String write(String key) {
            return "w:" + key;
        }

        @Override
        public String slow() {
            try {
                never.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "late";
        }

        @Override
        public String find(long id) {
            return "id " + id;
        }

        @Override
        public String find(String name) {
            return "name " + name;
        }
    }

    /**
     * Two providers, one of which answers every call INTERNAL ("may have run"): its methods run, then
     * an interceptor swaps the result for one the method's result codec cannot write.
     */
    private RpcClient twoProvidersOneFailing() {
        fixture.server(b -> b.service(Ledger.class, new Books()));
        fixture.server(b -> b.service(Ledger.class, new Books()).interceptor(chain -> chain.proceed().thenApply(v -> 42)));
        // no outlier detection here: these tests are about retries, not about leaving the broken one out
        return fixture.client(ClientConfig.builder().ioThreads(2).timeout(Duration.ofSeconds(10))
                .outlierDetection(NO_EJECTION));
    }

    @Test
    void onlyTheMethodMarkedIdempotentIsRetried() {
        Ledger ledger = twoProvidersOneFailing().create(Ledger.class);
        for (int i = 0; i < 20; i++) {
            assertThat(ledger.read("k" + i)).isEqualTo("r:k" + i);
        }
        List<Throwable> writeFailures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            try {
                assertThat(ledger.write("k" + i)).isEqualTo("w:k" + i);
            } catch (RpcRemoteException e) {
                writeFailures.add(e);
            }
        }
        // round-robin over two instances: about half the writes reach the broken one, and stay failed
        assertThat(writeFailures).isNotEmpty().allSatisfy(e ->
                assertThat(((RpcRemoteException) e).status()).isEqualTo(RpcStatus.INTERNAL));
    }

    @Test
    void theReferencesMethodSettingsWinOverTheAnnotationAndTheReference() {
        RpcClient client = twoProvidersOneFailing();
        Ledger ledger = client.create(ReferenceConfig.builder(Ledger.class).timeout(Duration.ofSeconds(5))
                .method("write", new MethodConfig(null, true, 2))
                .method("read", new MethodConfig(null, null, 0)) // stays idempotent, retries nothing
                .build());
        for (int i = 0; i < 20; i++) {
            assertThat(ledger.write("k" + i)).isEqualTo("w:k" + i);
        }
        List<MethodInfo> methods = client.referenceOf(ledger).methods();
        assertThat(methods).extracting(MethodInfo::method)
                .containsExactly("find(String)", "find(long)", "read", "slow", "write");
        MethodInfo read = methods.get(2);
        assertThat(read.idempotent()).isTrue();
        assertThat(read.idempotentSource()).isEqualTo(SettingSource.METHOD_ANNOTATION);
        assertThat(read.retries()).isZero();
        assertThat(read.retriesSource()).isEqualTo(SettingSource.METHOD_CONFIG);
        assertThat(read.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(read.timeoutSource()).isEqualTo(SettingSource.REFERENCE);
        MethodInfo slow = methods.get(3);
        assertThat(slow.timeout()).isEqualTo(Duration.ofMillis(150));
        assertThat(slow.timeoutSource()).isEqualTo(SettingSource.METHOD_ANNOTATION);
        assertThat(slow.idempotentSource()).isEqualTo(SettingSource.CLIENT);
        MethodInfo write = methods.get(4);
        assertThat(write.retries()).isEqualTo(2);
        assertThat(write.idempotentSource()).isEqualTo(SettingSource.METHOD_CONFIG);
    }

    @Test
    void aMethodsTimeoutFromItsAnnotationBoundsItsCalls() {
        fixture.server(b -> b.service(Ledger.class, new Books()));
        Ledger ledger = fixture.client(ClientConfig.builder().ioThreads(2).timeout(Duration.ofSeconds(30)))
                .create(Ledger.class);
        CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
            try {
                ledger.slow();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        // the client's 30 s would outlast the test's own timeout: the annotation's 150 ms ends it
        assertThat(failure.orTimeout(10, TimeUnit.SECONDS).join()).isInstanceOf(RpcTimeoutException.class);
    }

    @Test
    void overloadsAreNamedWithTheirParameterTypesAndUnknownNamesAreRefused() {
        fixture.server(b -> b.service(Ledger.class, new Books()));
        RpcClient client = fixture.client();
        Ledger ledger = client.create(ReferenceConfig.builder(Ledger.class)
                .methodTimeout("find(long)", Duration.ofMillis(700)).build());
        assertThat(ledger.find(3L)).isEqualTo("id 3");
        assertThat(client.referenceOf(ledger).methods()).filteredOn(m -> m.method().equals("find(long)"))
                .singleElement().satisfies(m -> assertThat(m.timeout()).isEqualTo(Duration.ofMillis(700)));
        assertThatIllegalArgumentException().isThrownBy(() -> client.create(ReferenceConfig.builder(Ledger.class)
                        .methodTimeout("find", Duration.ofSeconds(1)).build()))
                .withMessageContaining("method settings for 'find'")
                .withMessageContaining("[find(String), find(long), read, slow, write]");
    }

    @Test
    void durationsAreReadAsAnnotationsWriteThem() {
        assertThat(MethodConfig.parseDuration("300ms")).isEqualTo(Duration.ofMillis(300));
        assertThat(MethodConfig.parseDuration("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(MethodConfig.parseDuration("250")).isEqualTo(Duration.ofMillis(250));
        assertThat(MethodConfig.parseDuration("PT0.5S")).isEqualTo(Duration.ofMillis(500));
        assertThatIllegalArgumentException().isThrownBy(() -> MethodConfig.parseDuration("soon"))
                .withMessageContaining("'soon' is not a duration");
    }

    @Test
    void aFailingIdempotentServiceUnderLoadSendsAtMostTheBudgetedRetries() {
        java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        // two providers, both "may have run" on every call: retries could triple the load
        for (int i = 0; i < 2; i++) {
            fixture.server(b -> b.service(Ledger.class, new Books()).interceptor(chain -> {
                served.incrementAndGet();
                return chain.proceed().thenApply(v -> 42);
            }));
        }
        io.rpcboot.core.client.RetryBudget budget = new io.rpcboot.core.client.RetryBudget(0.1, 0, Duration.ofSeconds(10));
        Ledger ledger = fixture.client(ClientConfig.builder().ioThreads(2).retryBudget(budget).outlierDetection(NO_EJECTION),
                        new io.rpcboot.core.metrics.RpcMetrics(registry))
                .create(ReferenceConfig.builder(Ledger.class).method("read", new MethodConfig(null, true, 2)).build());
        int calls = 300;
        int budgetNotes = 0;
        for (int i = 0; i < calls; i++) {
            try {
                ledger.read("k");
            } catch (RpcRemoteException e) {
                for (Throwable s : e.getSuppressed()) {
                    if (String.valueOf(s.getMessage()).contains("retry budget is spent")) {
                        budgetNotes++;
                    }
                }
            }
        }
        // without a budget: up to 3 tries a call (900); with it: the calls plus 10% of them
        assertThat(served.get()).isLessThanOrEqualTo(calls + calls / 10 + 1);
        assertThat(budgetNotes).as("failures that say the budget stopped their retry").isGreaterThan(200);
        assertThat(registry.get("rpc.client.retries").tag("reason", "may_have_run").tag("result", "budget_exhausted")
                .counter().count()).isEqualTo(budgetNotes);
    }
}
