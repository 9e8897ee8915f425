package io.rpcboot.core.serialize;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Random values of any type the codec supports, from a seed: edge values (extremes, NaN, empty,
 * null, non-ASCII) mixed with ordinary ones. Drives the round-trip properties.
 */
final class RandomValues {

    private static final String[] STRINGS = {"", "a", "héllo ✓ 𝄞", "x".repeat(300), "\u0000", "日本語"};
    private static final ZoneId[] ZONES = {ZoneId.of("UTC"), ZoneId.of("Europe/Paris"), ZoneId.of("Asia/Shanghai"),
        ZoneOffset.ofHours(-7)};

    private final Random random;

    RandomValues(long seed) {
        this.random = new Random(seed);
    }

    Object of(Type type) {
        return of(type, true);
    }

    private Object of(Type type, boolean nullable) {
        Class<?> raw = Types.raw(type);
        if (nullable && !raw.isPrimitive() && random.nextInt(12) == 0) {
            return null;
        }
        if (raw.isPrimitive() || isBox(raw)) {
            return primitive(raw);
        }
        if (raw == String.class) {
            return random.nextInt(3) == 0 ? STRINGS[random.nextInt(STRINGS.length)] : randomString();
        }
        if (raw == byte[].class) {
            byte[] b = new byte[random.nextInt(40)];
            random.nextBytes(b);
            return b;
        }
        if (raw == BigInteger.class) {
            return new BigInteger(random.nextInt(200), random).multiply(BigInteger.valueOf(random.nextBoolean() ? 1 : -1));
        }
        if (raw == BigDecimal.class) {
            return new BigDecimal(new BigInteger(random.nextInt(120), random), random.nextInt(40) - 20);
        }
        if (raw == UUID.class) {
            return new UUID(random.nextLong(), random.nextLong());
        }
        Object time = time(raw);
        if (time != null) {
            return time;
        }
        if (raw.isEnum()) {
            Object[] constants = raw.getEnumConstants();
            return constants[random.nextInt(constants.length)];
        }
        if (raw.isArray()) {
            int n = random.nextInt(4);
            Object array = Array.newInstance(raw.getComponentType(), n);
            for (int i = 0; i < n; i++) {
                Array.set(array, i, of(Types.component(type), !raw.getComponentType().isPrimitive()));
            }
            return array;
        }
        if (raw == Optional.class) {
            return random.nextInt(3) == 0 ? Optional.empty() : Optional.of(of(Types.argument(type, 0), false));
        }
        if (Collection.class.isAssignableFrom(raw)) {
            Collection<Object> c = Set.class.isAssignableFrom(raw) ? new LinkedHashSet<>() : new ArrayList<>();
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                c.add(of(Types.argument(type, 0)));
            }
            return c;
        }
        if (Map.class.isAssignableFrom(raw)) {
            Map<Object, Object> m = SortedMap.class.isAssignableFrom(raw) ? new TreeMap<>() : new LinkedHashMap<>();
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                m.put(of(Types.argument(type, 0), false), of(Types.argument(type, 1)));
            }
            return m;
        }
        if (raw == Object.class) {
            Type[] choices = {String.class, Integer.class, Samples.Circle.class, List.class, UUID.class, int[].class};
            return of(choices[random.nextInt(choices.length)], false);
        }
        if (raw == Samples.Shape.class) {
            return of(random.nextBoolean() ? Samples.Circle.class : Samples.Square.class, false);
        }
        if (raw.isRecord()) {
            return record(type, raw);
        }
        return pojo(type, raw);
    }

    private Object record(Type type, Class<?> raw) {
        RecordComponent[] components = raw.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            args[i] = of(Types.resolve(type, components[i].getGenericType()));
        }
        try {
            var ctor = raw.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private Object pojo(Type type, Class<?> raw) {
        try {
            var ctor = raw.getDeclaredConstructor();
            ctor.setAccessible(true);
            Object o = ctor.newInstance();
            for (Class<?> k = raw; k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers())) {
                        f.setAccessible(true);
                        f.set(o, of(Types.resolve(type, f.getGenericType()), !f.getType().isPrimitive()));
                    }
                }
            }
            return o;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private Object primitive(Class<?> raw) {
        boolean edge = random.nextInt(4) == 0;
        if (raw == boolean.class || raw == Boolean.class) {
            return random.nextBoolean();
        }
        if (raw == byte.class || raw == Byte.class) {
            return edge ? Byte.MIN_VALUE : (byte) random.nextInt();
        }
        if (raw == short.class || raw == Short.class) {
            return edge ? Short.MAX_VALUE : (short) random.nextInt();
        }
        if (raw == char.class || raw == Character.class) {
            return edge ? '\uFFFF' : (char) random.nextInt(0x10000);
        }
        if (raw == int.class || raw == Integer.class) {
            return edge ? (random.nextBoolean() ? Integer.MIN_VALUE : -1) : random.nextInt();
        }
        if (raw == long.class || raw == Long.class) {
            return edge ? Long.MAX_VALUE : random.nextLong();
        }
        if (raw == float.class || raw == Float.class) {
            return edge ? Float.NaN : random.nextFloat() * 1e6f;
        }
        return edge ? (random.nextBoolean() ? Double.NEGATIVE_INFINITY : -0.0d) : random.nextGaussian() * 1e9;
    }

    private static boolean isBox(Class<?> c) {
        return c == Boolean.class || c == Byte.class || c == Short.class || c == Character.class || c == Integer.class
                || c == Long.class || c == Float.class || c == Double.class;
    }

    private String randomString() {
        int n = random.nextInt(20);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.appendCodePoint(random.nextBoolean() ? 'a' + random.nextInt(26) : 0x80 + random.nextInt(0x2FFF));
        }
        return new String(sb.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    private Object time(Class<?> raw) {
        Instant instant = Instant.ofEpochSecond(random.nextInt() * 10L, random.nextInt(1_000_000_000));
        LocalDateTime ldt = LocalDateTime.ofEpochSecond(random.nextInt(), random.nextInt(1_000_000_000), ZoneOffset.UTC);
        ZoneId zone = ZONES[random.nextInt(ZONES.length)];
        if (raw == Instant.class) {
            return instant;
        }
        if (raw == Duration.class) {
            return Duration.ofSeconds(random.nextLong() >> 20, random.nextInt(1_000_000_000));
        }
        if (raw == LocalDate.class) {
            return ldt.toLocalDate();
        }
        if (raw == LocalTime.class) {
            return ldt.toLocalTime();
        }
        if (raw == LocalDateTime.class) {
            return ldt;
        }
        if (raw == OffsetDateTime.class) {
            return OffsetDateTime.of(ldt, ZoneOffset.ofTotalSeconds(random.nextInt(18 * 3600)));
        }
        if (raw == ZonedDateTime.class) {
            return ZonedDateTime.of(ldt, zone);
        }
        if (raw == OffsetTime.class) {
            return OffsetTime.of(ldt.toLocalTime(), ZoneOffset.ofHours(random.nextInt(18)));
        }
        if (raw == ZoneId.class) {
            return zone;
        }
        if (raw == ZoneOffset.class) {
            return ZoneOffset.ofTotalSeconds(-random.nextInt(18 * 3600));
        }
        if (raw == Year.class) {
            return Year.of(random.nextInt(Year.MAX_VALUE));
        }
        if (raw == YearMonth.class) {
            return YearMonth.of(random.nextInt(9999), 1 + random.nextInt(12));
        }
        if (raw == MonthDay.class) {
            return MonthDay.of(1 + random.nextInt(12), 1 + random.nextInt(28));
        }
        if (raw == Period.class) {
            return Period.of(random.nextInt(), random.nextInt(), random.nextInt());
        }
        return null;
    }
}
