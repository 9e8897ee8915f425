package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class AllowListTests {

    private static final String GADGET = "io.rpcboot.core.serialize.AllowListTests$Gadget";
    private static final String LOADED = "rpcboot.test.gadget.loaded";
    private static final String CONSTRUCTED = "rpcboot.test.gadget.constructed";

    /** Never referenced as a class literal here: loading it at all would set a system property. */
    static class Gadget {
        static {
            System.setProperty(LOADED, "true");
        }

        String command;

        Gadget() {
            System.setProperty(CONSTRUCTED, "true");
        }
    }

    interface Animal {
    }

    record Dog(String name) implements Animal {
    }

    interface Zoo {
        List<Samples.Shape> shapes();

        void adopt(Animal animal);
    }

    @Test
    void aTypeNotOnTheListIsRefusedByNameAndNeverLoaded() {
        BinarySerialization binary = new BinarySerialization(new TypeAllowList().allowReachableFrom(Zoo.class));
        // what a hostile peer sends for a parameter declared as Object: a tag naming the gadget
        BinaryWriter out = BinaryWriter.heap(64);
        out.writeByte(SlotCodec.TAGGED);
        out.writeString(GADGET);
        out.writeVarInt32(1);
        out.writeInt32(StructCodec.tagOf("command"));
        out.writeInt32(8);
        out.writeByte(SlotCodec.VALUE);
        out.writeString("rm -rf");

        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(Object.class).read(BinaryReader.of(out.toByteArray())))
                .withMessage("type " + GADGET + " is not allowed: it is not reachable from the service interfaces"
                        + " and was not added to the type allow-list (rpc.allowed-types, set on the side that receives"
                        + " the value: the provider for arguments, the consumer for results)");
        assertThat(System.getProperty(LOADED)).as("static initializer ran").isNull();
        assertThat(System.getProperty(CONSTRUCTED)).as("constructor ran").isNull();
    }

    @Test
    void typesReachableFromServiceSignaturesAreAllowedIncludingSealedSubtypes() {
        TypeAllowList list = new TypeAllowList().allowReachableFrom(Zoo.class);
        assertThat(list.allowedTypeNames()).contains(Samples.Circle.class.getName(), Samples.Square.class.getName(),
                Samples.Shape.class.getName(), Animal.class.getName());
        assertThat(list.isAllowed(Dog.class.getName())).as("not reachable: Animal is not sealed").isFalse();
        assertThat(list.isAllowed(GADGET)).isFalse();

        BinarySerialization binary = new BinarySerialization(list);
        TypeCodec<Object> animal = binary.codec(Animal.class);
        BinaryWriter out = BinaryWriter.heap(32);
        animal.write(out, new Dog("rex"));
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> animal.read(BinaryReader.of(out.toByteArray())))
                .withMessageStartingWith("type " + Dog.class.getName() + " is not allowed");

        list.allow(Dog.class);
        assertThat(animal.read(BinaryReader.of(out.toByteArray()))).isEqualTo(new Dog("rex"));
    }

    @Test
    void aTagThatIsNotASubtypeOfTheDeclaredTypeIsRefused() {
        BinarySerialization binary = new BinarySerialization(new TypeAllowList().allow(Dog.class, Samples.Circle.class));
        BinaryWriter out = BinaryWriter.heap(32);
        binary.codec(Object.class).write(out, new Samples.Circle(1));
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(Animal.class).read(BinaryReader.of(out.toByteArray())))
                .withMessage("type " + Samples.Circle.class.getName() + " at offset 0 is not a " + Animal.class.getName());
    }

    @Test
    void builtInValueTypesNeedNoAllowListEntry() {
        BinarySerialization binary = new BinarySerialization(new TypeAllowList());
        for (Object value : new Object[] {"s", 1, 2L, java.util.UUID.randomUUID(), java.time.Instant.now(),
            List.of(1, "two"), java.util.Map.of("k", 1.5), new int[] {1, 2}, new String[] {"a"},
            java.time.ZoneId.of("Europe/Paris"), java.util.Optional.of("x")}) {
            BinaryWriter out = BinaryWriter.heap(32);
            binary.codec(Object.class).write(out, value);
            Object read = binary.codec(Object.class).read(BinaryReader.of(out.toByteArray()));
            assertThat(DeepEquality.firstDifference(value instanceof List<?> l ? new java.util.ArrayList<>(l) : value,
                    read instanceof java.util.Map<?, ?> m ? java.util.Map.copyOf(m) : read)).isNull();
        }
    }
}
