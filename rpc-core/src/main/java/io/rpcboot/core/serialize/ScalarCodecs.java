package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Codecs for primitives, their boxes, strings, byte arrays, BigDecimal, BigInteger and UUID. A
 * primitive's codec creates nothing; its box's codec charges the decode budget for the box.
 */
final class ScalarCodecs {

    private ScalarCodecs() {
    }

    static final ValueCodec<Boolean> BOOL = new Primitive<>(false) {
        public void write(BinaryWriter out, Boolean v) {
            out.writeBool(v);
        }

        public Boolean read(BinaryReader in) {
            return in.readBool();
        }
    };
    static final ValueCodec<Byte> BYTE = new Primitive<>((byte) 0) {
        public void write(BinaryWriter out, Byte v) {
            out.writeByte(v);
        }

        public Byte read(BinaryReader in) {
            return in.readByte();
        }
    };
    static final ValueCodec<Short> SHORT = new Primitive<>((short) 0) {
        public void write(BinaryWriter out, Short v) {
            out.writeInt16(v);
        }

        public Short read(BinaryReader in) {
            return in.readInt16();
        }
    };
    static final ValueCodec<Character> CHAR = new Primitive<>((char) 0) {
        public void write(BinaryWriter out, Character v) {
            out.writeInt16(v);
        }

        public Character read(BinaryReader in) {
            return (char) in.readInt16();
        }
    };
    static final ValueCodec<Integer> INT = new Primitive<>(0) {
        public void write(BinaryWriter out, Integer v) {
            out.writeInt32(v);
        }

        public Integer read(BinaryReader in) {
            return in.readInt32();
        }
    };
    static final ValueCodec<Long> LONG = new Primitive<>(0L) {
        public void write(BinaryWriter out, Long v) {
            out.writeInt64(v);
        }

        public Long read(BinaryReader in) {
            return in.readInt64();
        }
    };
    static final ValueCodec<Float> FLOAT = new Primitive<>(0f) {
        public void write(BinaryWriter out, Float v) {
            out.writeFloat(v);
        }

        public Float read(BinaryReader in) {
            return in.readFloat();
        }
    };
    static final ValueCodec<Double> DOUBLE = new Primitive<>(0d) {
        public void write(BinaryWriter out, Double v) {
            out.writeDouble(v);
        }

        public Double read(BinaryReader in) {
            return in.readDouble();
        }
    };
    static final ValueCodec<String> STRING = new ValueCodec<>() {
        public void write(BinaryWriter out, String v) {
            out.writeString(v);
        }

        public String read(BinaryReader in) {
            return in.readString();
        }
    };
    static final ValueCodec<byte[]> BYTES = new ValueCodec<>() {
        public void write(BinaryWriter out, byte[] v) {
            out.writeBytes(v);
        }

        public byte[] read(BinaryReader in) {
            return in.readBytes();
        }
    };
    /** Two's complement, big-endian, minimal length (as {@link BigInteger#toByteArray()}), varint-prefixed. */
    static final ValueCodec<BigInteger> BIG_INTEGER = new ValueCodec<>() {
        public void write(BinaryWriter out, BigInteger v) {
            out.writeBytes(v.toByteArray());
        }

        public BigInteger read(BinaryReader in) {
            byte[] bytes = in.readBytes();
            if (bytes.length == 0) {
                throw new SerializationException("BigInteger with no bytes at offset " + in.offset());
            }
            in.charge(DecodeCost.VALUE);
            return new BigInteger(bytes);
        }
    };
    /** int32 scale, then the unscaled value as a BigInteger. */
    static final ValueCodec<BigDecimal> BIG_DECIMAL = new ValueCodec<>() {
        public void write(BinaryWriter out, BigDecimal v) {
            out.writeInt32(v.scale());
            BIG_INTEGER.write(out, v.unscaledValue());
        }

        public BigDecimal read(BinaryReader in) {
            int scale = in.readInt32();
            BigInteger unscaled = BIG_INTEGER.read(in);
            in.charge(DecodeCost.VALUE);
            return new BigDecimal(unscaled, scale);
        }
    };
    /** int64 most significant bits, int64 least significant bits. */
    static final ValueCodec<UUID> UUIDS = new ValueCodec<>() {
        public void write(BinaryWriter out, UUID v) {
            out.writeInt64(v.getMostSignificantBits());
            out.writeInt64(v.getLeastSignificantBits());
        }

        public UUID read(BinaryReader in) {
            in.charge(DecodeCost.VALUE);
            return new UUID(in.readInt64(), in.readInt64());
        }
    };

    private static final Map<Class<?>, ValueCodec<?>> BY_CLASS = Map.ofEntries(
            Map.entry(boolean.class, BOOL), Map.entry(Boolean.class, boxed(BOOL)),
            Map.entry(byte.class, BYTE), Map.entry(Byte.class, boxed(BYTE)),
            Map.entry(short.class, SHORT), Map.entry(Short.class, boxed(SHORT)),
            Map.entry(char.class, CHAR), Map.entry(Character.class, boxed(CHAR)),
            Map.entry(int.class, INT), Map.entry(Integer.class, boxed(INT)),
            Map.entry(long.class, LONG), Map.entry(Long.class, boxed(LONG)),
            Map.entry(float.class, FLOAT), Map.entry(Float.class, boxed(FLOAT)),
            Map.entry(double.class, DOUBLE), Map.entry(Double.class, boxed(DOUBLE)),
            Map.entry(String.class, STRING), Map.entry(byte[].class, BYTES),
            Map.entry(BigInteger.class, BIG_INTEGER), Map.entry(BigDecimal.class, BIG_DECIMAL),
            Map.entry(UUID.class, UUIDS));

    /** The codec for a scalar class, or null if {@code type} is not one. */
    static @Nullable ValueCodec<?> forClass(Class<?> type) {
        return BY_CLASS.get(type);
    }

    static boolean isScalar(Class<?> type) {
        return BY_CLASS.containsKey(type);
    }

    /** The codec of a box: {@code primitive}'s layout, and a charge for the box; a missing field is null. */
    private static <T> ValueCodec<T> boxed(ValueCodec<T> primitive) {
        return new ValueCodec<>() {
            public void write(BinaryWriter out, T v) {
                primitive.write(out, v);
            }

            public T read(BinaryReader in) {
                in.charge(DecodeCost.BOX);
                return primitive.read(in);
            }
        };
    }

    /** A primitive's codec: a missing field of a primitive type reads as zero / false. */
    private abstract static class Primitive<T> implements ValueCodec<T> {
        private final T zero;

        Primitive(T zero) {
            this.zero = zero;
        }

        @Override
        public Object absent(BinaryReader in) {
            return zero;
        }
    }
}
