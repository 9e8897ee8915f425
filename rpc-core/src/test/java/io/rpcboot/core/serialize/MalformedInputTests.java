package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class MalformedInputTests {

    record Holder(String name, List<Integer> values) {
    }

    record WithThread(Thread thread) {
    }

    private final BinarySerialization binary = new BinarySerialization(new TypeAllowList());

    @Test
    void unsupportedTypesFailWhenTheCodecIsBuiltNamingTheType() {
        assertThatExceptionOfType(SerializationException.class).isThrownBy(() -> binary.codec(WithThread.class))
                .withMessageStartingWith("cannot serialize java.lang.Thread: not a record");
    }

    @Test
    void unknownMarkerIsRefused() {
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(Holder.class).read(BinaryReader.of(new byte[] {7})))
                .withMessage("unknown value marker 7 at offset 0 (expected 0 null, 1 value, 2 tagged value)");
    }

    @Test
    void fieldWhoseLengthDisagreesWithItsValueIsRefused() {
        BinaryWriter out = BinaryWriter.heap(32);
        out.writeByte(SlotCodec.VALUE);
        out.writeVarInt32(1);
        out.writeInt32(StructCodec.tagOf("name"));
        out.writeInt32(1); // but the value takes 3 bytes
        out.writeByte(SlotCodec.VALUE);
        out.writeString("x");
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(Holder.class).read(BinaryReader.of(out.toByteArray())))
                .withMessageContaining("its length says 1 bytes, its value took 3");
    }

    @Test
    void deeplyNestedInputIsRefusedWithoutExhaustingTheStack() {
        BinaryWriter out = BinaryWriter.heap(64);
        for (int i = 0; i < 100_000; i++) { // Object -> List [ Object -> List [ ...
            out.writeByte(SlotCodec.TAGGED);
            out.writeString(CodecFactory.LIST_TAG);
            out.writeVarInt32(1);
        }
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(Object.class).read(BinaryReader.of(out.toByteArray())))
                .withMessageStartingWith("values nested deeper than 256");
    }

    @Test
    void cyclicGraphsAreRefusedWhenWriting() {
        List<Object> cycle = new java.util.ArrayList<>();
        cycle.add(cycle);
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(Object.class).write(BinaryWriter.heap(64), cycle))
                .withMessageContaining("cyclic");
    }

    @Test
    void randomGarbageNeverEscapesAsAnythingButASerializationException() {
        Random random = new Random(42);
        TypeCodec<Object> codec = binary.codec(Samples.Level1.class);
        for (int i = 0; i < 20_000; i++) {
            byte[] garbage = new byte[random.nextInt(64)];
            random.nextBytes(garbage);
            if (garbage.length > 0) {
                garbage[0] = (byte) random.nextInt(3); // get past the marker most of the time
            }
            try {
                codec.read(BinaryReader.of(garbage));
            } catch (SerializationException expected) {
                // the only acceptable failure
            }
        }
    }
}
