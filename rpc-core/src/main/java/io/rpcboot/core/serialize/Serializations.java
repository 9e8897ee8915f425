package io.rpcboot.core.serialize;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;


/**
 * The serializations a process speaks, by frame id and by name, sharing one {@link TypeAllowList}.
 * By default {@code binary}, plus {@code json} when Jackson 3 is on the class path. Thread-safe.
 */
public final class Serializations {

    private final TypeAllowList allowList;
    private final Map<Integer, Serialization> byId = new ConcurrentHashMap<>();
    private final Map<String, Serialization> byName = new ConcurrentHashMap<>();

    public Serializations(TypeAllowList allowList) {
        this.allowList = Objects.requireNonNull(allowList, "allowList");
    }

    /** {@code binary}, and {@code json} if {@code tools.jackson.databind.json.JsonMapper} can be loaded. */
    public static Serializations defaults(TypeAllowList allowList) {
        Serializations s = new Serializations(allowList).add(new BinarySerialization(allowList));
        if (jacksonPresent()) {
            s.add(new JsonSerialization(allowList));
        }
        return s;
    }

    private static boolean jacksonPresent() {
        try {
            Class.forName("tools.jackson.databind.json.JsonMapper", false, Serializations.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Adds {@code serialization}; its id and name must be new. */
    public Serializations add(Serialization serialization) {
        int id = serialization.id();
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("serialization id must be 1..255, was " + id + " for " + serialization.name());
        }
        Serialization clash = byId.putIfAbsent(id, serialization);
        if (clash != null && clash != serialization) {
            throw new IllegalArgumentException("serializations " + clash.name() + " and " + serialization.name()
                    + " share id " + id);
        }
        byName.put(serialization.name(), serialization);
        return this;
    }

    /**
     * The serialization called {@code name}.
     *
     * @throws IllegalArgumentException naming the known ones if there is none by that name
     */
    public Serialization byName(String name) {
        Serialization s = byName.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown serialization '" + name + "'; known: " + byName.keySet());
        }
        return s;
    }

    public Collection<Serialization> all() {
        return List.copyOf(byId.values());
    }

    public TypeAllowList allowList() {
        return allowList;
    }
}
