package io.rpcboot.benchmark.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JMH results as written by {@code -rf json}, with the allocation per operation from {@code -prof gc}. */
public record JmhResults(List<Row> rows) {

    /** One benchmark: time per operation and bytes allocated per operation. */
    public record Row(String benchmark, String params, double score, double error, String unit, double allocBytesPerOp) {
    }

    public static JmhResults none() {
        return new JmhResults(List.of());
    }

    public static JmhResults read(Path json) throws IOException {
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(json));
        List<Row> rows = new ArrayList<>();
        for (JsonNode b : root) {
            String name = b.get("benchmark").asString();
            StringBuilder params = new StringBuilder();
            JsonNode p = b.get("params");
            if (p != null) {
                p.properties().forEach(e -> params.append(e.getKey()).append('=').append(e.getValue().asString()).append(' '));
            }
            JsonNode primary = b.get("primaryMetric");
            JsonNode alloc = b.path("secondaryMetrics").path("gc.alloc.rate.norm").path("score");
            rows.add(new Row(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1), params.toString().strip(),
                    primary.get("score").asDouble(), primary.get("scoreError").asDouble(),
                    primary.get("scoreUnit").asString(), alloc.isMissingNode() ? Double.NaN : alloc.asDouble()));
        }
        return new JmhResults(rows);
    }
}
