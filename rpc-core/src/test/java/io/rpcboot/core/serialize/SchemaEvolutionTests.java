package io.rpcboot.core.serialize;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** An old and a new version of one record, as two processes would have them. */
class SchemaEvolutionTests {

    record UserV1(String name, int age) {
    }

    /** A field added in the middle, one at the end; none removed. */
    record UserV2(String name, String email, int age, Optional<String> nickname, List<String> roles, long score) {
    }

    /** {@code age} removed. */
    record UserV3(String name) {
    }

    static class AccountV1 {
        String owner;
        int balance;
    }

    static class AccountV2 {
        String owner;
        String currency = "EUR";
        int balance;
    }

    private final BinarySerialization binary = new BinarySerialization(new TypeAllowList());

    @Test
    void newReaderGivesAddedFieldsTheirDefaults() {
        UserV2 read = transcode(new UserV1("ada", 36), UserV1.class, UserV2.class);
        assertThat(read).isEqualTo(new UserV2("ada", null, 36, Optional.empty(), List.of(), 0L));
    }

    @Test
    void oldReaderSkipsFieldsItDoesNotKnow() {
        UserV1 read = transcode(new UserV2("bob", "b@x.io", 41, Optional.of("b"), List.of("admin"), 99L),
                UserV2.class, UserV1.class);
        assertThat(read).isEqualTo(new UserV1("bob", 41));
    }

    @Test
    void removedFieldsAreSkippedAndMissingOnesDefaultedBothWays() {
        assertThat(transcode(new UserV1("cy", 7), UserV1.class, UserV3.class)).isEqualTo(new UserV3("cy"));
        assertThat(transcode(new UserV3("di"), UserV3.class, UserV1.class)).isEqualTo(new UserV1("di", 0));
    }

    @Test
    void pojoKeepsItsInitialisedDefaultForAMissingField() {
        AccountV1 v1 = new AccountV1();
        v1.owner = "eve";
        v1.balance = 10;
        AccountV2 read = transcode(v1, AccountV1.class, AccountV2.class);
        assertThat(read.owner).isEqualTo("eve");
        assertThat(read.balance).isEqualTo(10);
        assertThat(read.currency).isEqualTo("EUR");

        AccountV2 v2 = new AccountV2();
        v2.owner = "fay";
        v2.currency = "CHF";
        v2.balance = 3;
        AccountV1 back = transcode(v2, AccountV2.class, AccountV1.class);
        assertThat(back.owner).isEqualTo("fay");
        assertThat(back.balance).isEqualTo(3);
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsOfEvolvedRecordsDecodeToo() {
        List<Object> read = (List<Object>) binary.codec(listOf(UserV2.class))
                .read(BinaryReader.of(encode(List.of(new UserV1("g", 1), new UserV1("h", 2)), listOf(UserV1.class))));
        assertThat(read).containsExactly(new UserV2("g", null, 1, Optional.empty(), List.of(), 0),
                new UserV2("h", null, 2, Optional.empty(), List.of(), 0));
    }

    private <T> T transcode(Object value, Class<?> writtenAs, Class<T> readAs) {
        return readAs.cast(binary.codec(readAs).read(BinaryReader.of(encode(value, writtenAs))));
    }

    private byte[] encode(Object value, java.lang.reflect.Type type) {
        BinaryWriter out = BinaryWriter.heap(64);
        binary.codec(type).write(out, value);
        return out.toByteArray();
    }

    private static java.lang.reflect.Type listOf(Class<?> element) {
        return new Types.Parameterized(List.class, null, new java.lang.reflect.Type[] {element});
    }
}
