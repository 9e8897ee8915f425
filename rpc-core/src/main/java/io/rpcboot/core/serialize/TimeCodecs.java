package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.time.DateTimeException;
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
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Codecs for {@code java.time} value types. Layouts (all little-endian, see docs/protocol.md):
 * Instant and Duration = int64 seconds + int32 nanos; LocalDate = int64 epoch day; LocalTime =
 * int64 nano of day; LocalDateTime = LocalDate + LocalTime; ZoneOffset = int32 total seconds;
 * OffsetTime = LocalTime + ZoneOffset; OffsetDateTime = LocalDateTime + ZoneOffset; ZonedDateTime
 * = LocalDateTime + ZoneOffset + zone id string; ZoneId = string; Year = int32; YearMonth = int32
 * year + int8 month; MonthDay = int8 month + int8 day; Period = int32 years, months, days.
 * An out-of-range value read from the wire is a {@link SerializationException}. Each value read is
 * charged to the decode budget as one small object (its strings as strings).
 */
final class TimeCodecs {

    private TimeCodecs() {
    }

    private static <T> ValueCodec<T> codec(Class<T> type, BiConsumer<BinaryWriter, T> writer,
                                           Function<BinaryReader, T> reader) {
        return new ValueCodec<>() {
            public void write(BinaryWriter out, T value) {
                writer.accept(out, value);
            }

            public T read(BinaryReader in) {
                int at = in.offset();
                in.charge(DecodeCost.VALUE);
                try {
                    return reader.apply(in);
                } catch (DateTimeException e) {
                    throw new SerializationException("invalid " + type.getSimpleName() + " at offset " + at
                            + ": " + e.getMessage(), e);
                }
            }
        };
    }

    private static void writeDate(BinaryWriter out, LocalDate d) {
        out.writeInt64(d.toEpochDay());
    }

    private static LocalDate readDate(BinaryReader in) {
        return LocalDate.ofEpochDay(in.readInt64());
    }

    private static void writeTime(BinaryWriter out, LocalTime t) {
        out.writeInt64(t.toNanoOfDay());
    }

    private static LocalTime readTime(BinaryReader in) {
        return LocalTime.ofNanoOfDay(in.readInt64());
    }

    private static void writeDateTime(BinaryWriter out, LocalDateTime dt) {
        writeDate(out, dt.toLocalDate());
        writeTime(out, dt.toLocalTime());
    }

    private static LocalDateTime readDateTime(BinaryReader in) {
        return LocalDateTime.of(readDate(in), readTime(in));
    }

    private static ZoneOffset readOffset(BinaryReader in) {
        return ZoneOffset.ofTotalSeconds(in.readInt32());
    }

    private static final Map<Class<?>, ValueCodec<?>> BY_CLASS = Map.ofEntries(
            Map.entry(Instant.class, codec(Instant.class, (o, v) -> {
                o.writeInt64(v.getEpochSecond());
                o.writeInt32(v.getNano());
            }, i -> Instant.ofEpochSecond(i.readInt64(), i.readInt32()))),
            Map.entry(Duration.class, codec(Duration.class, (o, v) -> {
                o.writeInt64(v.getSeconds());
                o.writeInt32(v.getNano());
            }, i -> Duration.ofSeconds(i.readInt64(), i.readInt32()))),
            Map.entry(LocalDate.class, codec(LocalDate.class, TimeCodecs::writeDate, TimeCodecs::readDate)),
            Map.entry(LocalTime.class, codec(LocalTime.class, TimeCodecs::writeTime, TimeCodecs::readTime)),
            Map.entry(LocalDateTime.class,
                    codec(LocalDateTime.class, TimeCodecs::writeDateTime, TimeCodecs::readDateTime)),
            Map.entry(ZoneOffset.class, codec(ZoneOffset.class, (o, v) -> o.writeInt32(v.getTotalSeconds()),
                    TimeCodecs::readOffset)),
            Map.entry(ZoneId.class, codec(ZoneId.class, (o, v) -> o.writeString(v.getId()),
                    i -> ZoneId.of(i.readString()))),
            Map.entry(OffsetTime.class, codec(OffsetTime.class, (o, v) -> {
                writeTime(o, v.toLocalTime());
                o.writeInt32(v.getOffset().getTotalSeconds());
            }, i -> OffsetTime.of(readTime(i), readOffset(i)))),
            Map.entry(OffsetDateTime.class, codec(OffsetDateTime.class, (o, v) -> {
                writeDateTime(o, v.toLocalDateTime());
                o.writeInt32(v.getOffset().getTotalSeconds());
            }, i -> OffsetDateTime.of(readDateTime(i), readOffset(i)))),
            Map.entry(ZonedDateTime.class, codec(ZonedDateTime.class, (o, v) -> {
                writeDateTime(o, v.toLocalDateTime());
                o.writeInt32(v.getOffset().getTotalSeconds());
                o.writeString(v.getZone().getId());
            }, i -> ZonedDateTime.ofStrict(readDateTime(i), readOffset(i), ZoneId.of(i.readString())))),
            Map.entry(Year.class, codec(Year.class, (o, v) -> o.writeInt32(v.getValue()), i -> Year.of(i.readInt32()))),
            Map.entry(YearMonth.class, codec(YearMonth.class, (o, v) -> {
                o.writeInt32(v.getYear());
                o.writeByte(v.getMonthValue());
            }, i -> YearMonth.of(i.readInt32(), i.readByte()))),
            Map.entry(MonthDay.class, codec(MonthDay.class, (o, v) -> {
                o.writeByte(v.getMonthValue());
                o.writeByte(v.getDayOfMonth());
            }, i -> MonthDay.of(i.readByte(), i.readByte()))),
            Map.entry(Period.class, codec(Period.class, (o, v) -> {
                o.writeInt32(v.getYears());
                o.writeInt32(v.getMonths());
                o.writeInt32(v.getDays());
            }, i -> Period.of(i.readInt32(), i.readInt32(), i.readInt32()))));

    /** The codec for a java.time class, or null; ZoneId subclasses (ZoneRegion) share ZoneId's. */
    static @Nullable ValueCodec<?> forClass(Class<?> type) {
        ValueCodec<?> codec = BY_CLASS.get(type);
        if (codec == null && ZoneId.class.isAssignableFrom(type) && type != ZoneOffset.class) {
            return BY_CLASS.get(ZoneId.class);
        }
        return codec;
    }

    static boolean isTime(Class<?> type) {
        return forClass(type) != null;
    }

    static Iterable<Class<?>> classes() {
        return BY_CLASS.keySet();
    }
}
