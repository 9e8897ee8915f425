package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;


import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class BinaryPrimitivesTests {

    @Property
    void fixedWidthValuesRoundTripLittleEndian(@ForAll int i, @ForAll long l, @ForAll float f, @ForAll double d,
                                                @ForAll short s, @ForAll boolean z) {
        BinaryWriter w = BinaryWriter.heap(4);
        w.writeInt32(i);
        w.writeInt64(l);
        w.writeFloat(f);
        w.writeDouble(d);
        w.writeInt16(s);
        w.writeBool(z);
        byte[] bytes = w.toByteArray();
        assertThat(bytes).hasSize(4 + 8 + 4 + 8 + 2 + 1);
        assertThat(bytes[0]).isEqualTo((byte) i); // least significant byte first

        BinaryReader r = BinaryReader.of(bytes);
        assertThat(r.readInt32()).isEqualTo(i);
        assertThat(r.readInt64()).isEqualTo(l);
        assertThat(Float.floatToRawIntBits(r.readFloat())).isEqualTo(Float.floatToRawIntBits(f));
        assertThat(Double.doubleToRawLongBits(r.readDouble())).isEqualTo(Double.doubleToRawLongBits(d));
        assertThat(r.readInt16()).isEqualTo(s);
        assertThat(r.readBool()).isEqualTo(z);
        assertThat(r.hasRemaining()).isFalse();
    }

    @Property
    void varintsAndZigZagRoundTrip(@ForAll int i, @ForAll long l) {
        BinaryWriter w = BinaryWriter.heap(4);
        w.writeVarInt32(i);
        w.writeVarInt64(l);
        w.writeZigZag32(i);
        w.writeZigZag64(l);
        BinaryReader r = BinaryReader.of(w.toByteArray());
        assertThat(r.readVarInt32()).isEqualTo(i);
        assertThat(r.readVarInt64()).isEqualTo(l);
        assertThat(r.readZigZag32()).isEqualTo(i);
        assertThat(r.readZigZag64()).isEqualTo(l);
    }

    @Test
    void varintEncodingMatchesTheSpec() {
        assertThat(varint(0)).containsExactly(0x00);
        assertThat(varint(127)).containsExactly(0x7F);
        assertThat(varint(128)).containsExactly(0x80, 0x01);
        assertThat(varint(300)).containsExactly(0xAC, 0x02);
        assertThat(varint(-1)).containsExactly(0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
        BinaryWriter w = BinaryWriter.heap(4);
        w.writeZigZag32(-1);
        w.writeZigZag32(1);
        w.writeZigZag32(-2);
        assertThat(w.toByteArray()).containsExactly(0x01, 0x02, 0x03);
    }

    @Property
    void stringsRoundTripAsUtf8(@ForAll String s) {
        BinaryWriter w = BinaryWriter.heap(4);
        w.writeString(s);
        w.writeString("héllo ✓ 𝄞");
        BinaryReader r = BinaryReader.of(w.toByteArray());
        assertThat(r.readString()).isEqualTo(s);
        assertThat(r.readString()).isEqualTo("héllo ✓ 𝄞");
    }

    @Test
    void readingPastTheEndNamesOffsetNeededAndLeft() {
        BinaryReader r = BinaryReader.of(new byte[] {1, 2, 3, 4, 5});
        r.readInt32();
        assertThatExceptionOfType(EndOfInputException.class).isThrownBy(r::readInt64)
                .withMessage("need 8 bytes at offset 4, only 1 left")
                .satisfies(e -> {
                    assertThat(e.offset()).isEqualTo(4);
                    assertThat(e.needed()).isEqualTo(8);
                    assertThat(e.left()).isEqualTo(1);
                });
    }

    @Test
    void hugeOrNegativeLengthsAreRefusedBeforeAllocating() {
        BinaryWriter w = BinaryWriter.heap(8);
        w.writeVarInt32(Integer.MAX_VALUE); // claims a 2 GiB string
        w.writeRaw(new byte[] {'a', 'b', 'c'}, 0, 3);
        assertThatExceptionOfType(EndOfInputException.class).isThrownBy(() -> BinaryReader.of(w.toByteArray()).readString())
                .withMessage("need 2147483647 bytes at offset 5, only 3 left");

        BinaryWriter negative = BinaryWriter.heap(8);
        negative.writeVarInt32(-5);
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> BinaryReader.of(negative.toByteArray()).readBytes())
                .withMessage("byte array length at offset 0 is 4294967291, above the limit of 2147483647");
    }

    @Test
    void malformedVarintsAndBoolsAreRefused() {
        byte[] tooLong = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01};
        assertThatExceptionOfType(SerializationException.class).isThrownBy(() -> BinaryReader.of(tooLong).readVarInt32())
                .withMessage("varint at offset 0 does not fit in 32 bits");
        byte[] unterminated = {(byte) 0x80, (byte) 0x80};
        assertThatExceptionOfType(EndOfInputException.class)
                .isThrownBy(() -> BinaryReader.of(unterminated).readVarInt64());
        assertThatExceptionOfType(SerializationException.class).isThrownBy(() -> BinaryReader.of(new byte[] {2}).readBool())
                .withMessage("bool at offset 0 must be 0 or 1, was 2");
    }

    private static int[] varint(int v) {
        BinaryWriter w = BinaryWriter.heap(8);
        w.writeVarInt32(v);
        byte[] b = w.toByteArray();
        int[] unsigned = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            unsigned[i] = b[i] & 0xFF;
        }
        return unsigned;
    }
}
