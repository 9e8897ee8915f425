package io.rpcboot.core.serialize;

/**
 * Estimated heap bytes of the objects a decode creates, as charged to {@link BinaryReader#charge}.
 * Rounded up from a 64-bit JVM's layouts (12-16 byte headers, 8-byte alignment); a reference counts
 * 8 bytes whether or not oops are compressed. Estimates, not measurements: what matters is that
 * every object a peer can make us create is charged about what it costs.
 */
final class DecodeCost {

    /** An object with no fields: header and alignment. */
    static final int OBJECT = 16;
    /** A reference: a field, an array element, a slot of a collection's backing array. */
    static final int REFERENCE = 8;
    /** A boxed primitive, an {@code Optional}. */
    static final int BOX = 16;
    /** A {@code String} and its backing array's header; its bytes are charged on top. */
    static final int STRING = 40;
    /** An array's header; its elements are charged on top. */
    static final int ARRAY = 16;
    /** An empty collection or map and its bookkeeping; presized slots are charged on top. */
    static final int COLLECTION = 48;
    /** A node of a hash, linked or tree collection (a {@code LinkedHashMap.Entry} is 40 bytes). */
    static final int NODE = 40;
    /** A small value object of a few fields: a {@code UUID}, a {@code java.time} value, a big number. */
    static final int VALUE = 32;

    private DecodeCost() {
    }

    /**
     * A record or POJO instance of {@code fields} fields, and the array of its field values that
     * decoding fills before the instance is made (the two are about the same size).
     */
    static long struct(int fields) {
        return OBJECT + (long) REFERENCE * fields + ARRAY + (long) REFERENCE * fields;
    }
}
