package io.rpcboot.core.internal.context;

import java.util.Map;
import java.util.Set;

/**
 * Not API. The rules for call metadata, checked in one place: where an application attaches it
 * ({@link io.rpcboot.core.RpcContext}, a reference's configuration, an interceptor) and again, as
 * the request is encoded, against the header budget both sides enforce ({@code FrameBuilder.metadata}).
 */
public final class Metadata {

    /** The protocol's own header keys (docs/protocol.md, ids 1..5): never metadata. */
    static final Set<String> RESERVED = Set.of("service", "method", "version", "group", "deadline");

    /** Longest key, in characters. */
    public static final int MAX_KEY_LENGTH = 64;

    private Metadata() {
    }

    /** @throws IllegalArgumentException naming the key, if a key or value breaks the rules */
    public static void check(Map<String, String> metadata) {
        metadata.forEach(Metadata::check);
    }

    /** @throws IllegalArgumentException naming the key, if it or its value breaks the rules */
    public static void check(String key, String value) {
        if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("metadata key '" + key + "' must be 1.." + MAX_KEY_LENGTH + " characters");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')) {
                throw new IllegalArgumentException("metadata key '" + key + "' may hold only a-z 0-9 - _ . (lowercase)");
            }
        }
        if (RESERVED.contains(key)) {
            throw new IllegalArgumentException("metadata key '" + key + "' is the protocol's own header");
        }
        if (value == null) {
            throw new IllegalArgumentException("metadata key '" + key + "' has no value");
        }
    }
}
