package io.rpcboot.core.internal.protocol;

import java.util.Random;

import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.SerializationException;
import io.rpcboot.core.serialize.BinaryReader;
import io.rpcboot.core.serialize.BinaryWriter;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.serialize.TypeAllowList;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The exception tail of an error body, as a hostile provider could write it. */
class ExceptionCodecTests {

    public static class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private int code;

        public Refused(String message) {
            super(message);
        }

        public int code() {
            return code;
        }
    }

    private final TypeAllowList allowList = new TypeAllowList().allow(Refused.class);
    private final ExceptionCodec codec = ExceptionCodec.of(Serializations.defaults(allowList), false);

    @Test
    void aRoundTripRebuildsTheClassTheAllowListNames() {
        Refused sent = new Refused("no");
        sent.code = 42;
        sent.initCause(new IllegalStateException("inner"));
        Throwable got = codec.decode(BinaryReader.of(codec.encode(sent)));
        assertThat(got).isInstanceOfSatisfying(Refused.class, r -> assertThat(r.code()).isEqualTo(42)).hasMessage("no");
        assertThat(got.getCause()).isInstanceOfSatisfying(RpcRemoteException.class,
                c -> assertThat(c.remoteType()).isEqualTo("java.lang.IllegalStateException"));
    }

    @Test
    void aClassTheAllowListDoesNotNameIsNotRebuiltNorLoaded() {
        BinaryWriter out = BinaryWriter.heap(64);
        out.writeByte(ExceptionCodec.FORMAT);
        out.writeString("com.example.DoesNotExist"); // never looked up by Class.forName
        out.writeBool(true);
        out.writeString("m");
        out.writeVarInt32(0);
        out.writeVarInt32(0);
        out.writeBool(false);
        assertThat(codec.decode(BinaryReader.of(out.toByteArray()))).isNull();
    }

    @Test
    void aFieldThatLiesAboutItsLengthIsRefused() {
        BinaryWriter out = BinaryWriter.heap(64);
        out.writeByte(ExceptionCodec.FORMAT);
        out.writeString(Refused.class.getName());
        out.writeBool(false);
        out.writeVarInt32(1);
        out.writeString("code");
        out.writeInt32(9); // an int takes fewer bytes (or says more than there are)
        out.writeZigZag32(7);
        out.writeRaw(new byte[9], 0, 9);
        out.writeVarInt32(0);
        out.writeBool(false);
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> codec.decode(BinaryReader.of(out.toByteArray())));
    }

    @Test
    void countsAboveTheLimitsAreRefusedBeforeAnythingIsAllocated() {
        BinaryWriter fields = BinaryWriter.heap(64);
        fields.writeByte(ExceptionCodec.FORMAT);
        fields.writeString(Refused.class.getName());
        fields.writeBool(false);
        fields.writeVarInt32(ExceptionCodec.MAX_FIELDS + 1);
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> codec.decode(BinaryReader.of(fields.toByteArray())))
                .withMessageContaining("exception field count");

        BinaryWriter causes = BinaryWriter.heap(256);
        causes.writeByte(ExceptionCodec.FORMAT);
        for (int i = 0; i <= ExceptionCodec.MAX_CAUSES + 1; i++) {
            causes.writeString("x");
            causes.writeBool(false);
            causes.writeVarInt32(0);
            causes.writeVarInt32(0);
            causes.writeBool(true);
        }
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> codec.decode(BinaryReader.of(causes.toByteArray())))
                .withMessageContaining("causes");
    }

    @Test
    void randomTailsEitherDecodeOrFailAsSerializationExceptions() {
        Random random = new Random(7);
        byte[] good = codec.encode(new Refused("fine"));
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = random.nextBoolean() ? new byte[1 + random.nextInt(64)] : good.clone();
            if (bytes.length == good.length) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt();
            } else {
                random.nextBytes(bytes);
                bytes[0] = ExceptionCodec.FORMAT;
            }
            try {
                codec.decode(BinaryReader.of(bytes));
            } catch (SerializationException expected) {
                // refused, as it should be
            }
        }
    }
}
