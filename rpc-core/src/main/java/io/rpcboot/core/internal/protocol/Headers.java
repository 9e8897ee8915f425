package io.rpcboot.core.internal.protocol;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Header entry keys. The well-known keys travel as a one-byte id; any other key (an attachment)
 * travels as id 0 followed by the key string.
 */
public final class Headers {

    /** The service interface's fully qualified name. */
    public static final String SERVICE = "service";
    /** Method name and parameter types, e.g. {@code add(int,int)}, so overloads resolve. */
    public static final String METHOD = "method";
    /** The service version; absent means the default (empty) version. */
    public static final String VERSION = "version";
    /** The service group; absent means the default (empty) group. */
    public static final String GROUP = "group";
    /** Absolute deadline, milliseconds since the Unix epoch, in decimal. */
    public static final String DEADLINE = "deadline";
    /** W3C trace context ({@code traceparent}). */
    public static final String TRACEPARENT = "traceparent";

    /** The id of {@link #DEADLINE}, which the decoder keeps as a number. */
    static final int DEADLINE_ID = 5;
    /** The id of {@link #TRACEPARENT}. */
    static final int TRACEPARENT_ID = 6;
    private static final String[] BY_ID = {null, SERVICE, METHOD, VERSION, GROUP, DEADLINE, TRACEPARENT};
    /** Size of an array indexed by well-known id (index 0 unused). */
    static final int KNOWN_IDS = BY_ID.length;
    private static final Map<String, Integer> IDS = Map.of(SERVICE, 1, METHOD, 2, VERSION, 3, GROUP, 4, DEADLINE, 5,
            TRACEPARENT, 6);

    private Headers() {
    }

    /** The one-byte id of a well-known key, or 0 for an attachment. */
    static int idOf(String key) {
        // callers nearly always pass the constants above: compare references before hashing
        if (key == SERVICE) {
            return 1;
        } else if (key == METHOD) {
            return 2;
        } else if (key == VERSION) {
            return 3;
        } else if (key == GROUP) {
            return 4;
        } else if (key == DEADLINE) {
            return DEADLINE_ID;
        }
        Integer id = IDS.get(key);
        return id == null ? 0 : id;
    }

    /** The key of a well-known id, or null for an id this side does not know. */
    static @Nullable String keyOf(int id) {
        return id > 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
