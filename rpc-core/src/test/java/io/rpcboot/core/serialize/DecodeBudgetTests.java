package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What a hostile peer can make a decode cost: objects proportional to the bytes it sent, a bounded
 * stack, and no class initialized before the allow-list and the declared type agree to it. The
 * hostile bytes are built by hand, as such a peer would.
 */
class DecodeBudgetTests {

    private static final int MIB = 1024 * 1024;

    /** Set by {@link Trap}'s static initializer: decoding must never run it. */
    static volatile boolean trapInitialized;

    /** On the allow-list, but not an {@link Animal}. */
    enum Trap {
        ARMED;

        static {
            trapInitialized = true;
        }
    }

    interface Animal {
    }

    /** What an old sender sends as a new receiver's {@link Concrete} or {@link Interfaces}: nothing. */
    record Empty() {
    }

    record Concrete(ArrayList<String> a, HashMap<String, Integer> b, TreeSet<String> c, ArrayList<Long> d) {
    }

    record Interfaces(List<String> list, Set<Integer> set, Map<String, Integer> map, Optional<String> maybe,
                      java.util.Collection<String> collection, int count) {
    }

    record Node(Node next) {
    }

    record Line(String sku, int quantity, double price) {
    }

    record Order(String id, List<Line> lines, Map<String, Integer> counts, Optional<String> note, long[] stamps) {
    }

    private final BinarySerialization binary =
            new BinarySerialization(new TypeAllowList().allow(Trap.class, Concrete.class, Interfaces.class));

    // --- attack 1: decode amplification --------------------------------------------------------

    @Test
    void aListOfEmptyRecordsIsRefusedBeyondTheBudget() {
        byte[] bytes = listOfEmptyRecords(100_000); // 2 bytes per record, each asking for 4 new collections
        BinaryReader in = BinaryReader.of(bytes);
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(listOf(Concrete.class)).read(in))
                .withMessageStartingWith("decoding would create more than " + budget(bytes.length) + " bytes of objects"
                        + " from " + bytes.length + " bytes received (the limit is " + BinaryReader.DEFAULT_DECODE_RATIO + " x the bytes received + 65536)");
        assertThat(in.offset()).as("refused partway, not at the end").isLessThan(bytes.length);
    }

    @Test
    void aDecodeNeverChargesMoreThanRatioTimesTheBytesPlusTheBase() {
        for (int records : new int[] {1, 100, 1_000, 100_000}) {
            byte[] bytes = listOfEmptyRecords(records);
            BinaryReader in = BinaryReader.of(bytes);
            assertThat(in.decodeBudget()).isEqualTo((long) BinaryReader.DEFAULT_DECODE_RATIO * bytes.length + 65_536);
            try {
                binary.codec(listOf(Concrete.class)).read(in);
                assertThat(in.charged()).as("%d records decoded", records).isLessThanOrEqualTo(in.decodeBudget());
            } catch (SerializationException refused) {
                assertThat(refused).hasMessageStartingWith("decoding would create more than");
                // the charge that failed was refused before its object was made
                assertThat(in.charged() - in.decodeBudget()).isLessThanOrEqualTo(DecodeCost.COLLECTION
                        + DecodeCost.REFERENCE * ContainerCodecs.MAX_PRESIZE);
            }
        }
    }

    @Test
    void aFewEmptyRecordsStayInsideTheBudgetAndDecode() {
        byte[] bytes = listOfEmptyRecords(100);
        BinaryReader in = BinaryReader.of(bytes);
        List<?> read = (List<?>) binary.codec(listOf(Concrete.class)).read(in);
        assertThat(read).hasSize(100).allSatisfy(r -> assertThat(((Concrete) r).a()).isEmpty());
        assertThat(in.charged()).isPositive().isLessThanOrEqualTo(in.decodeBudget());
    }

    @Test
    void anAbsentInterfaceCollectionFieldIsASharedImmutableEmptyOneAndCostsNothing() {
        byte[] bytes = listOfEmptyRecords(2);
        BinaryReader in = BinaryReader.of(bytes);
        List<?> read = (List<?>) binary.codec(listOf(Interfaces.class)).read(in);
        Interfaces first = (Interfaces) read.get(0);
        assertThat(first.list()).isSameAs(List.of()).isSameAs(((Interfaces) read.get(1)).list());
        assertThat(first.set()).isSameAs(Set.of());
        assertThat(first.map()).isSameAs(Map.of());
        assertThat(first.collection()).isSameAs(List.of());
        assertThat(first.maybe()).isSameAs(Optional.empty());
        assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> first.list().add("x"));
        long list = DecodeCost.COLLECTION + 2L * DecodeCost.REFERENCE + 2L * DecodeCost.REFERENCE;
        assertThat(in.charged()).as("the list and two records, nothing per absent field")
                .isEqualTo(list + 2 * DecodeCost.struct(6));
    }

    @Test
    void anAbsentConcreteCollectionFieldIsAFreshMutableOneChargedToTheBudget() {
        BinaryReader in = BinaryReader.of(listOfEmptyRecords(1));
        Concrete read = (Concrete) ((List<?>) binary.codec(listOf(Concrete.class)).read(in)).get(0);
        read.a().add("mutable");
        assertThat(read.c()).isInstanceOf(TreeSet.class);
        long list = DecodeCost.COLLECTION + 2L * DecodeCost.REFERENCE;
        assertThat(in.charged()).isEqualTo(list + DecodeCost.struct(4) + 4L * DecodeCost.COLLECTION);
    }

    @Test
    void aClaimedCountCostsNothingBeforeItsElementsArrive() {
        BinaryWriter out = BinaryWriter.heap(MIB + 16);
        out.writeByte(SlotCodec.VALUE);
        out.writeVarInt32(MIB); // claims a million strings
        for (int i = 0; i < MIB; i++) {
            out.writeByte(9); // but sends no valid one
        }
        BinaryReader in = BinaryReader.of(out.toByteArray());
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(listOf(String.class)).read(in))
                .withMessageStartingWith("unknown value marker 9");
        assertThat(in.charged()).as("a presized list of at most " + ContainerCodecs.MAX_PRESIZE + " slots")
                .isLessThanOrEqualTo(DecodeCost.COLLECTION + DecodeCost.REFERENCE * (ContainerCodecs.MAX_PRESIZE + 1L));
    }

    @Test
    void aMapOfEmptyStringsIsRefusedAtALowerRatio() {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < 100_000; i++) {
            map.put(Integer.toString(i, 36), "");
        }
        Type type = new Types.Parameterized(Map.class, null, new Type[] {String.class, String.class});
        byte[] bytes = encode(type, map);
        assertThat(binary.codec(type).read(BinaryReader.of(bytes))).isEqualTo(map);
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(type).read(BinaryReader.of(bytes).withDecodeRatio(8)))
                .withMessageContaining("(the limit is 8 x the bytes received + 65536)");
    }

    @Test
    void aRatioBelowOneIsRefusedNamingIt() {
        assertThatExceptionOfType(IllegalArgumentException.class)
                .isThrownBy(() -> BinaryReader.of(new byte[1]).withDecodeRatio(0))
                .withMessage("decode ratio must be at least 1, was 0");
    }

    @Test
    void aResetReaderStartsAFreshBudgetAtItsRatio() {
        byte[] bytes = encode(String.class, "x".repeat(100));
        BinaryReader in = BinaryReader.of(bytes).withDecodeRatio(2);
        binary.codec(String.class).read(in);
        assertThat(in.charged()).isEqualTo(DecodeCost.STRING + 100);
        in.reset(java.nio.ByteBuffer.wrap(bytes), 0, bytes.length);
        assertThat(in.charged()).isZero();
        assertThat(in.decodeBudget()).isEqualTo(2L * bytes.length + BinaryReader.DECODE_BUDGET_BASE);
    }

    // --- legitimate payloads -----------------------------------------------------------------

    @Test
    void aMebibyteOfStringsDecodesUnderTheDefaultBudget() {
        List<String> strings = new ArrayList<>();
        for (int i = 0; strings.size() * 40 < MIB; i++) {
            strings.add("string number " + i + " of a long list ✓");
        }
        assertDecodesUnderTheDefaultBudget(listOf(String.class), strings);
        List<String> empties = new ArrayList<>();
        for (int i = 0; i < MIB / 2; i++) {
            empties.add("");
        }
        assertDecodesUnderTheDefaultBudget(listOf(String.class), empties);
    }

    @Test
    void aMebibyteOfNestedRecordsMapsAndArraysDecodesUnderTheDefaultBudget() {
        List<Order> orders = new ArrayList<>();
        for (int i = 0; orders.size() * 200 < MIB; i++) {
            orders.add(new Order("order-" + i, List.of(new Line("sku-" + i, i, i * 1.5), new Line("b", 1, 0)),
                    Map.of("a", i, "b", -i), i % 2 == 0 ? Optional.empty() : Optional.of("note"), new long[] {i, i}));
        }
        assertDecodesUnderTheDefaultBudget(listOf(Order.class), orders);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; counts.size() * 12 < MIB; i++) {
            counts.put("k" + i, i);
        }
        assertDecodesUnderTheDefaultBudget(new Types.Parameterized(Map.class, null,
                new Type[] {String.class, Integer.class}), counts);
        assertDecodesUnderTheDefaultBudget(listOf(Integer.class), new ArrayList<>(java.util.Collections.nCopies(MIB / 5, 7)));
        assertDecodesUnderTheDefaultBudget(listOf(Empty.class), java.util.Collections.nCopies(MIB / 2, new Empty()));
    }

    @Test
    void aMebibyteOfPrimitiveArraysDecodesUnderTheDefaultBudget() {
        assertDecodesUnderTheDefaultBudget(int[].class, new int[MIB / 4]);
        assertDecodesUnderTheDefaultBudget(double[].class, new double[MIB / 8]);
        assertDecodesUnderTheDefaultBudget(boolean[].class, new boolean[MIB]);
        assertDecodesUnderTheDefaultBudget(char[].class, new char[MIB / 2]);
        assertDecodesUnderTheDefaultBudget(byte[].class, new byte[MIB]);
    }

    // --- attack 2: type tags -----------------------------------------------------------------

    @Test
    void aTagOfTwentyThousandBracketsIsRefusedBeforeItIsRead() {
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(Object.class).read(BinaryReader.of(tagged("[".repeat(20_000) + "I"))))
                .withMessage("type tag length at offset 1 is 20001, above the limit of " + CodecFactory.MAX_TAG_LENGTH);
    }

    @Test
    void aTagOfMoreArrayDimensionsThanTheJvmAllowsIsRefused() {
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(Object.class).read(BinaryReader.of(tagged("[".repeat(256) + "I"))))
                .withMessage("type tag of 257 characters names an array of 256 dimensions, more than the 255 the"
                        + " JVM allows");
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(Object.class).read(BinaryReader.of(tagged("[".repeat(1000) + "I"))))
                .withMessageContaining("names an array of 1000 dimensions");
    }

    @Test
    void aTagOfTheMostDimensionsTheJvmAllowsStillDecodes() {
        Object read = binary.codec(Object.class).read(BinaryReader.of(tagged("[".repeat(255) + "I", 0)));
        Class<?> type = read.getClass();
        int dimensions = 0;
        for (; type.isArray(); type = type.getComponentType()) {
            dimensions++;
        }
        assertThat(dimensions).isEqualTo(255);
        assertThat(type).isEqualTo(int.class);
    }

    @Test
    void malformedArrayTagsAreRefusedAsNotAllowed() {
        for (String tag : new String[] {"[", "[L;", "[L[I;", "[Q", "[Ljava.lang.Thread;", "[II"}) {
            assertThatExceptionOfType(SerializationException.class).as(tag)
                    .isThrownBy(() -> binary.codec(Object.class).read(BinaryReader.of(tagged(tag, 0))))
                    .withMessageStartingWith("type " + tag + " is not allowed");
        }
    }

    // --- attack 3: a class initialized before the checks ---------------------------------------

    @Test
    void anAllowedEnumThatIsNotTheDeclaredTypeIsRefusedWithoutInitializingIt() {
        BinaryWriter out = BinaryWriter.heap(64);
        out.writeByte(SlotCodec.TAGGED);
        out.writeString(Trap.class.getName());
        out.writeString("ARMED");
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(Animal.class).read(BinaryReader.of(out.toByteArray())))
                .withMessage("type " + Trap.class.getName() + " at offset 0 is not a " + Animal.class.getName());
        assertThat(trapInitialized).as("Trap's static initializer ran").isFalse();
    }

    // --- nesting -----------------------------------------------------------------------------

    @Test
    void aHundredThousandNestedRecordsAreRefusedCleanly() {
        assertRefusedAsTooDeep(Node.class, out -> {
            out.writeByte(SlotCodec.VALUE);
            out.writeVarInt32(1);
            out.writeInt32(StructCodec.tagOf("next"));
            out.writeInt32(0); // the lengths do not matter: the depth check fires first
        });
    }

    @Test
    void aHundredThousandNestedOptionalsMapsArraysAndListsAreRefusedCleanly() {
        assertRefusedAsTooDeep(Object.class, out -> {
            out.writeByte(SlotCodec.TAGGED);
            out.writeString(CodecFactory.OPTIONAL_TAG);
        });
        assertRefusedAsTooDeep(Object.class, out -> {
            out.writeByte(SlotCodec.TAGGED);
            out.writeString(CodecFactory.MAP_TAG);
            out.writeVarInt32(1);
        });
        assertRefusedAsTooDeep(Object.class, out -> {
            out.writeByte(SlotCodec.TAGGED);
            out.writeString("[Ljava.util.List;");
            out.writeVarInt32(1);
            out.writeByte(SlotCodec.VALUE);
            out.writeVarInt32(1);
        });
        assertRefusedAsTooDeep(Object.class, out -> {
            out.writeByte(SlotCodec.TAGGED);
            out.writeString(CodecFactory.SET_TAG);
            out.writeVarInt32(1);
        });
    }

    // --- helpers -----------------------------------------------------------------------------

    private void assertRefusedAsTooDeep(Type type, Consumer<BinaryWriter> level) {
        BinaryWriter out = BinaryWriter.heap(1024);
        for (int i = 0; i < 100_000; i++) {
            level.accept(out);
        }
        assertThatExceptionOfType(SerializationException.class)
                .isThrownBy(() -> binary.codec(type).read(BinaryReader.of(out.toByteArray())))
                .withMessageStartingWith("values nested deeper than " + BinaryReader.MAX_DEPTH);
    }

    private void assertDecodesUnderTheDefaultBudget(Type type, Object value) {
        byte[] bytes = encode(type, value);
        BinaryReader in = BinaryReader.of(bytes);
        Object read = binary.codec(type).read(in);
        assertThat(DeepEquality.firstDifference(value, read)).as(type.getTypeName()).isNull();
        assertThat(in.remaining()).isZero();
        assertThat(in.charged()).as("%s of %d bytes", type.getTypeName(), bytes.length)
                .isLessThanOrEqualTo(in.decodeBudget());
    }

    /** A {@code List<T>} of {@code n} records with no fields sent: marker and field count, 2 bytes each. */
    private static byte[] listOfEmptyRecords(int n) {
        BinaryWriter out = BinaryWriter.heap(2 * n + 8);
        out.writeByte(SlotCodec.VALUE);
        out.writeVarInt32(n);
        for (int i = 0; i < n; i++) {
            out.writeByte(SlotCodec.VALUE);
            out.writeVarInt32(0);
        }
        return out.toByteArray();
    }

    /** A value in an {@code Object} slot with {@code tag}, then {@code countOrNothing} as a count if given. */
    private static byte[] tagged(String tag, int... countOrNothing) {
        BinaryWriter out = BinaryWriter.heap(tag.length() + 16);
        out.writeByte(SlotCodec.TAGGED);
        out.writeString(tag);
        for (int count : countOrNothing) {
            out.writeVarInt32(count);
        }
        return out.toByteArray();
    }

    private static long budget(int length) {
        return (long) BinaryReader.DEFAULT_DECODE_RATIO * length + BinaryReader.DECODE_BUDGET_BASE;
    }

    private byte[] encode(Type type, Object value) {
        BinaryWriter out = BinaryWriter.heap(1024);
        binary.codec(type).write(out, value);
        return out.toByteArray();
    }

    private static Type listOf(Type element) {
        return new Types.Parameterized(List.class, null, new Type[] {element});
    }
}
