package io.rpcboot.core.serialize;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** Types that exercise every shape the binary codec supports, nested three levels deep. */
final class Samples {

    private Samples() {
    }

    enum Color { RED, GREEN, BLUE { @Override public String toString() { return "blue"; } } }

    record Scalars(boolean z, byte b, short s, char c, int i, long l, float f, double d,
                   Boolean boxedZ, Integer boxedI, Long boxedL, Double boxedD, String str, byte[] bytes,
                   BigDecimal decimal, BigInteger integer, UUID uuid, Color color) {
    }

    record Times(Instant instant, Duration duration, LocalDate date, LocalTime time, LocalDateTime dateTime,
                 OffsetDateTime offsetDateTime, ZonedDateTime zoned, OffsetTime offsetTime, ZoneId zone,
                 ZoneOffset offset, Year year, YearMonth yearMonth, MonthDay monthDay, Period period) {
    }

    sealed interface Shape permits Circle, Square {
    }

    record Circle(double radius) implements Shape {
    }

    record Square(double side, String label) implements Shape {
    }

    /** A POJO: a no-arg constructor and mutable fields, one inherited. */
    static class Named {
        private String name;

        String name() {
            return name;
        }

        void name(String name) {
            this.name = name;
        }
    }

    static final class Tagged extends Named {
        private List<String> labels = new ArrayList<>();
        private int weight;
        private transient Object ignored;

        List<String> labels() {
            return labels;
        }

        void labels(List<String> labels) {
            this.labels = labels;
        }

        int weight() {
            return weight;
        }

        void weight(int weight) {
            this.weight = weight;
        }
    }

    record Level3(Scalars scalars, Times times, List<Optional<String>> strings, int[] ints, long[] longs,
                  double[] doubles, boolean[] flags, char[] chars) {
    }

    record Level2(List<Map<String, Level3>> nested, Optional<Level3> maybe, Set<Color> colors,
                  SortedMap<String, Integer> sorted, Level3[] array, Shape shape, Tagged tagged) {
    }

    record Level1(List<Level2> items, Map<Integer, Level2> byId, Optional<Level2> first, Object anything,
                  Page<Level2> page) {
    }

    /** A generic record: its component types are resolved from the declared type arguments. */
    record Page<T>(List<T> items, int total) {
    }

    /** A service interface: what it reaches is what the allow-list lets through. */
    interface SampleService {
        Level1 deep(Level1 in, List<Shape> shapes);

        CompletableFuture<Page<Scalars>> page(int number);

        void ping();
    }
}
