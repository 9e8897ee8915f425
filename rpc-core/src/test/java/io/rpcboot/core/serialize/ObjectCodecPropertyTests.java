package io.rpcboot.core.serialize;

import java.lang.reflect.Method;
import java.lang.reflect.Type;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Round trips of random values of every supported type, nested three levels deep
 * ({@code Level1 -> Level2 -> Level3 -> Scalars/Times}), through both serializations.
 */
class ObjectCodecPropertyTests {

    private final BinarySerialization binary =
            new BinarySerialization(new TypeAllowList().allowReachableFrom(Samples.SampleService.class));

    @Property(tries = 300)
    void deepValuesRoundTripThroughBinary(@ForAll long seed) throws Exception {
        Method deep = Samples.SampleService.class.getMethod("deep", Samples.Level1.class, java.util.List.class);
        for (Type type : deep.getGenericParameterTypes()) {
            Object value = new RandomValues(seed).of(type);
            assertRoundTrip(binary, type, value, seed);
        }
    }

    @Property(tries = 200)
    void everyTopLevelTypeRoundTripsThroughBinary(@ForAll long seed) {
        Type[] types = {Samples.Scalars.class, Samples.Times.class, Samples.Tagged.class, Samples.Level3.class,
            Object.class, Samples.Shape.class, int.class, String.class, byte[].class, Samples.Color.class};
        RandomValues random = new RandomValues(seed);
        for (Type type : types) {
            assertRoundTrip(binary, type, random.of(type), seed);
        }
    }

    static void assertRoundTrip(Serialization serialization, Type type, Object value, long seed) {
        TypeCodec<Object> codec = serialization.codec(type);
        BinaryWriter out = BinaryWriter.heap(64);
        codec.write(out, value);
        byte[] bytes = out.toByteArray();
        BinaryReader in = BinaryReader.of(bytes);
        Object decoded = codec.read(in);
        assertThat(in.remaining()).as("bytes left after decoding %s (seed %d)", type, seed).isZero();
        assertThat(DeepEquality.firstDifference(value, decoded)).as("%s, seed %d", type.getTypeName(), seed).isNull();
    }
}
