package io.rpcboot.core.observation;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.rpcboot.core.registry.ServiceInstance;
import org.jspecify.annotations.Nullable;

/**
 * The default names and tags of rpc-boot's observations, after the OpenTelemetry semantic
 * conventions for RPC, version {@value #SEMCONV_VERSION}: name {@code rpc.client} / {@code rpc.server},
 * span name {@code service/method}; low-cardinality tags {@code rpc.system}, {@code rpc.service},
 * {@code rpc.method}, {@code error.type}; high-cardinality (spans only) {@code server.address},
 * {@code server.port} on the client and {@code network.peer.address}, {@code network.peer.port} on the
 * server. Replace either with a bean of the convention's interface.
 */
public final class RpcObservationConventions {

    /** The version of the OpenTelemetry semantic conventions these tags follow. */
    public static final String SEMCONV_VERSION = "1.37.0";
    /** The value of {@code rpc.system}. */
    public static final String RPC_SYSTEM = "rpc-boot";
    /** The value of {@code error.type} when the call succeeded. */
    public static final String NO_ERROR = "none";

    private RpcObservationConventions() {
    }

    /** How client calls are named and tagged. */
    public interface Client extends ObservationConvention<RpcClientObservationContext> {
        @Override
        default boolean supportsContext(Observation.Context context) {
            return context instanceof RpcClientObservationContext;
        }
    }

    /** How served calls are named and tagged. */
    public interface Server extends ObservationConvention<RpcServerObservationContext> {
        @Override
        default boolean supportsContext(Observation.Context context) {
            return context instanceof RpcServerObservationContext;
        }
    }

    /** The default client convention. */
    public static class DefaultClient implements Client {
        @Override
        public String getName() {
            return "rpc.client";
        }

        @Override
        public String getContextualName(RpcClientObservationContext context) {
            return context.getCall().service().interfaceName() + "/" + context.getCall().method().key();
        }

        @Override
        public KeyValues getLowCardinalityKeyValues(RpcClientObservationContext context) {
            return KeyValues.of(KeyValue.of("rpc.system", RPC_SYSTEM),
                    KeyValue.of("rpc.service", context.getCall().service().interfaceName()),
                    KeyValue.of("rpc.method", context.getCall().method().key()),
                    KeyValue.of("error.type", errorType(context.getError())));
        }

        @Override
        public KeyValues getHighCardinalityKeyValues(RpcClientObservationContext context) {
            ServiceInstance instance = context.getInstance();
            return instance == null ? KeyValues.empty()
                    : KeyValues.of(KeyValue.of("server.address", instance.host()),
                            KeyValue.of("server.port", String.valueOf(instance.port())));
        }
    }

    /** The default server convention. */
    public static class DefaultServer implements Server {
        @Override
        public String getName() {
            return "rpc.server";
        }

        @Override
        public String getContextualName(RpcServerObservationContext context) {
            return context.getCall().service().interfaceName() + "/" + context.getCall().method().key();
        }

        @Override
        public KeyValues getLowCardinalityKeyValues(RpcServerObservationContext context) {
            return KeyValues.of(KeyValue.of("rpc.system", RPC_SYSTEM),
                    KeyValue.of("rpc.service", context.getCall().service().interfaceName()),
                    KeyValue.of("rpc.method", context.getCall().method().key()),
                    KeyValue.of("error.type", errorType(context.getError())));
        }

        @Override
        public KeyValues getHighCardinalityKeyValues(RpcServerObservationContext context) {
            SocketAddress peer = context.getCall().remoteAddress();
            if (peer instanceof InetSocketAddress inet) {
                return KeyValues.of(KeyValue.of("network.peer.address", inet.getHostString()),
                        KeyValue.of("network.peer.port", String.valueOf(inet.getPort())));
            }
            return KeyValues.empty();
        }
    }

    static String errorType(@Nullable Throwable error) {
        return error == null ? NO_ERROR : error.getClass().getSimpleName();
    }
}
