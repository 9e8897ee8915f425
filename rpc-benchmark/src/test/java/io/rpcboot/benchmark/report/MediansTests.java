package io.rpcboot.benchmark.report;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MediansTests {

    @Test
    void parsesTheLoadClientsResultLine() {
        Cell c = Cell.parse("RESULT peer=grpc payload=1024 c=64 ops=12345.6 p50=100.5 p99=900.0 p999=2000.0 "
                + "clientCpu=1.250 calls=24691", 0.75);
        assertThat(c).isEqualTo(new Cell("grpc", 1024, 64, 12345.6, 100.5, 900.0, 2000.0, 1.25, 0.75));
    }

    @Test
    void reducesRepeatedRunsToMediansPerMetric() {
        List<Cell> runs = List.of(new Cell("a", 64, 1, 100, 10, 50, 90, 1, 1), new Cell("a", 64, 1, 300, 30, 10, 70, 3, 2),
                new Cell("a", 64, 1, 200, 20, 30, 80, 2, 3), new Cell("b", 64, 1, 5, 1, 1, 1, 1, 1));
        List<Cell> medians = Medians.of(runs);
        assertThat(medians).hasSize(2);
        assertThat(medians.get(0)).isEqualTo(new Cell("a", 64, 1, 200, 20, 30, 80, 2, 2));
        assertThat(Medians.median(new double[] {4, 1, 3, 2})).isCloseTo(2.5, within(1e-9));
    }
}
