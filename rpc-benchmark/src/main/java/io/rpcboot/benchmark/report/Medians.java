package io.rpcboot.benchmark.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Repeated runs of the same cell reduced to their medians, metric by metric. */
public final class Medians {

    private Medians() {
    }

    public static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** One cell per (peer, payload, concurrency), each metric the median of its runs. */
    public static List<Cell> of(List<Cell> runs) {
        Map<String, List<Cell>> groups = new LinkedHashMap<>();
        for (Cell c : runs) {
            groups.computeIfAbsent(c.peer() + "/" + c.payload() + "/" + c.concurrency(), k -> new ArrayList<>()).add(c);
        }
        List<Cell> result = new ArrayList<>();
        for (List<Cell> g : groups.values()) {
            Cell first = g.get(0);
            result.add(new Cell(first.peer(), first.payload(), first.concurrency(), m(g, Cell::ops), m(g, Cell::p50),
                    m(g, Cell::p99), m(g, Cell::p999), m(g, Cell::clientCpu), m(g, Cell::serverCpu)));
        }
        return result;
    }

    private static double m(List<Cell> cells, ToDoubleFunction<Cell> metric) {
        return median(cells.stream().mapToDouble(metric).toArray());
    }
}
