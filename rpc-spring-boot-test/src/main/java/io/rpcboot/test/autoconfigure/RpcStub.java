package io.rpcboot.test.autoconfigure;

import java.util.Objects;

/**
 * A stand-in provider a test declares as a bean: {@link AutoConfigureRpc} serves it over the
 * in-process transport, so the application's references to {@code T} reach it. Not itself of type
 * {@code T}, so it never competes with the application's reference bean for injection.
 *
 * @param type           the service interface
 * @param implementation what answers
 * @param version        the service version it answers as ("" for none)
 * @param group          the service group it answers as ("" for none)
 * @param <T>            the service interface
 */
public record RpcStub<T>(Class<T> type, T implementation, String version, String group) {

    public RpcStub {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(implementation, "implementation");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(group, "group");
    }

    public static <T> RpcStub<T> of(Class<T> type, T implementation) {
        return new RpcStub<>(type, implementation, "", "");
    }
}
