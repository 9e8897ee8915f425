package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Mutated frames against a live server (see {@link FrameFuzzer}): whatever the bytes, every request
 * gets exactly one answer or its connection closes, nothing escapes to an event loop, every pooled
 * buffer comes back, and a normal client keeps working throughout. {@code ./fuzz.sh} runs the same
 * fuzzer for longer.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FrameFuzzTests {

    private static final int FRAMES = 20_000;
    private static final long SEED = 20_250_601L;

    @Test
    void everyMutatedFrameIsAnsweredOnceOrClosesItsConnection() {
        try (FrameFuzzer.Target target = new FrameFuzzer.Target()) {
            target.assertServesNormalCalls();
            FrameFuzzer.Figures figures;
            try (FrameFuzzer fuzzer = new FrameFuzzer(target.address(), target.serverPool, SEED)) {
                figures = fuzzer.run(FRAMES, 1000, target::assertServesNormalCalls);
                System.out.println("seed " + SEED + ": " + figures);
                assertThat(fuzzer.failureReports()).as("frames with no answer, or more than one").isEmpty();
            }
            assertThat(figures.frames()).isEqualTo(FRAMES);
            assertThat(figures.failures()).isZero();
            assertThat(figures.dispatched()).as("frames that reached dispatch").isGreaterThanOrEqualTo(FRAMES / 2);
            // one fuzzed frame at a time is in the server: its buffer, and perhaps its inflated body
            assertThat(figures.peakBytesLent()).as("bytes the server's pool lent at once")
                    .isLessThanOrEqualTo(4L * FrameFuzzer.SERVER_MAX_FRAME_SIZE);

            target.assertServesNormalCalls();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(target.server.inFlight()).as("calls in flight on the server").isZero());
            // The client has a pool of its own, and an idle connection holds no buffer on the server:
            // with the fuzz sockets closed and the server still running, its pool must drain to 0 at
            // once (a buffer held past its connection is a leak, not something a stop would explain).
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(target.serverPool.inUse()).as("server buffers not given back").isZero());
            target.client.close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(target.server.openConnections()).as("connections left open").isZero();
                assertThat(target.serverPool.inUse()).as("server buffers not given back").isZero();
                assertThat(target.clientPool.inUse()).as("client buffers not given back").isZero();
            });
            assertThat(target.boss.escapedFailures()).as("failures that reached the boss loop").isZero();
            assertThat(target.workers.escapedFailures()).as("failures that reached the I/O loops").isZero();
        }
    }
}
