package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class JsonSerializationTests {

    record Order(String id, List<Line> lines, Map<String, Integer> counts, Optional<String> note, Instant at,
                 Samples.Color color, BigDecimal total) {
    }

    record Line(String sku, int quantity) {
    }

    private final JsonSerialization json = new JsonSerialization();

    @Test
    void recordsCollectionsOptionalsAndTimesRoundTrip() {
        Order order = new Order("o-1", List.of(new Line("a", 2), new Line("b", 1)), Map.of("a", 2),
                Optional.of("gift"), Instant.parse("2026-11-25T10:15:30.123Z"), Samples.Color.GREEN,
                new BigDecimal("12.50"));
        BinaryWriter out = BinaryWriter.heap(64);
        json.codec(Order.class).write(out, order);
        byte[] bytes = out.toByteArray();

        BinaryReader in = BinaryReader.of(bytes);
        assertThat(json.codec(Order.class).read(in)).isEqualTo(order);
        assertThat(in.remaining()).isZero();

        BinaryReader raw = BinaryReader.of(bytes);
        String text = new String(raw.readBytes(), StandardCharsets.UTF_8);
        assertThat(text).startsWith("{\"id\":\"o-1\"").contains("\"sku\":\"a\"");
        assertThat(json.id()).isEqualTo(2);
        assertThat(json.name()).isEqualTo("json");
    }

    @Test
    void malformedJsonIsASerializationExceptionNamingTheType() {
        BinaryWriter out = BinaryWriter.heap(16);
        out.writeBytes("{\"id\":".getBytes(StandardCharsets.UTF_8));
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> json.codec(Order.class).read(BinaryReader.of(out.toByteArray())))
                .withMessageStartingWith("cannot read " + Order.class.getName() + " from the JSON at offset 0");
    }
}
