package io.rpcboot.core.client;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PendingCallsTests {

    record Call(long requestId) implements PendingCalls.Entry {
    }

    @Test
    void callsAreTakenOnceByTheirId() {
        PendingCalls<Call> pending = new PendingCalls<>(8);
        Call a = new Call(1);
        Call b = new Call(2);
        pending.put(a);
        pending.put(b);
        assertThat(pending.take(3)).isNull();
        assertThat(pending.take(2)).isSameAs(b);
        assertThat(pending.take(2)).as("taken already").isNull();
        assertThat(pending.isEmpty()).isFalse();
        assertThat(pending.take(1)).isSameAs(a);
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void anIdWhoseSlotIsHeldGoesToTheOverflowAndIsStillFound() {
        PendingCalls<Call> pending = new PendingCalls<>(4);
        List<Call> calls = new ArrayList<>();
        for (long id = 1; id <= 10; id++) { // ids 1, 5 and 9 share a slot; so do 2, 6 and 10
            calls.add(new Call(id));
            pending.put(calls.get(calls.size() - 1));
        }
        assertThat(pending.take(9)).isSameAs(calls.get(8));
        assertThat(pending.take(1)).isSameAs(calls.get(0));
        assertThat(pending.take(5)).isSameAs(calls.get(4));
        assertThat(pending.take(5)).isNull();
        Set<Call> rest = new HashSet<>(pending.takeAll());
        assertThat(rest).containsExactlyInAnyOrder(calls.get(1), calls.get(2), calls.get(3), calls.get(5), calls.get(6),
                calls.get(7), calls.get(9));
        assertThat(pending.isEmpty()).isTrue();
        assertThat(pending.takeAll()).isEmpty();
    }

    @Test
    void manyThreadsPuttingAndTakingLoseNothing() throws Exception {
        PendingCalls<Call> pending = new PendingCalls<>(64);
        int threads = 4;
        int perThread = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> taken = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t * perThread;
                taken.add(pool.submit(() -> {
                    start.await();
                    int found = 0;
                    for (int i = 0; i < perThread; i++) {
                        long id = first + i;
                        pending.put(new Call(id));
                        if (i >= 100 && pending.take(id - 100) != null) { // up to 100 in flight per thread
                            found++;
                        }
                    }
                    for (long id = first + perThread - 100; id < first + perThread; id++) {
                        if (pending.take(id) != null) {
                            found++;
                        }
                    }
                    return found;
                }));
            }
            start.countDown();
            for (Future<Integer> f : taken) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(perThread);
            }
            assertThat(pending.isEmpty()).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theRingSizeMustBeAPowerOfTwo() {
        assertThatIllegalArgumentException().isThrownBy(() -> new PendingCalls<Call>(1000)).withMessageContaining("power of two");
    }
}
