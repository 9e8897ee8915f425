package io.rpcboot.benchmark.load;

/**
 * One contender in the load test: a server that echoes a byte[] payload, and a client whose
 * {@link Caller#call} sends one and waits for the echo. Each caller thread calls synchronously
 * (closed loop); the client multiplexes all callers over its connection(s).
 */
interface Peer {

    String name();

    /** Starts an echo server on 127.0.0.1:port (0 for any); returns it running. */
    Server startServer(int port) throws Exception;

    /** Connects a client to 127.0.0.1:port. */
    Caller connect(int port) throws Exception;

    interface Server extends AutoCloseable {
        int port();
    }

    interface Caller extends AutoCloseable {
        byte[] call(byte[] payload) throws Exception;
    }

    static Peer byName(String name) {
        return switch (name) {
            case "rpc-boot" -> new RpcBootPeer();
            case "rpc-boot-spring" -> new SpringBootPeer();
            case "rpc-boot-spring-defaults" -> new SpringBootPeer(true);
            case "rpc-boot-client-defaults" -> new RpcBootPeer(RpcBootPeer.Variant.CLIENT_DEFAULTS);
            case "rpc-boot-defaults" -> new RpcBootPeer(RpcBootPeer.Variant.ALL_DEFAULTS);
            case "rpc-boot-pool" -> new RpcBootPeer(RpcBootPeer.Variant.POOL_DEFAULTS);
            case "rpc-boot-virtual" -> new RpcBootPeer(RpcBootPeer.Variant.VIRTUAL_DEFAULTS);
            case "rpc-boot-virtual-pool" -> new RpcBootPeer(RpcBootPeer.Variant.VIRTUAL_POOL);
            case "rpc-boot-resilience-on" -> new RpcBootPeer(RpcBootPeer.Variant.ON);
            case "rpc-boot-resilience-off" -> new RpcBootPeer(RpcBootPeer.Variant.OFF);
            case "rpc-boot-observed" -> new ObservedRpcBootPeer(ObservedRpcBootPeer.Mode.OBSERVED);
            case "rpc-boot-prometheus" -> new ObservedRpcBootPeer(ObservedRpcBootPeer.Mode.PROMETHEUS);
            case "rpc-boot-intercepted" -> new ObservedRpcBootPeer(ObservedRpcBootPeer.Mode.INTERCEPTED);
            case "rpc-boot-observed-unfiltered" -> new ObservedRpcBootPeer(ObservedRpcBootPeer.Mode.OBSERVED_UNFILTERED);
            case "grpc" -> new GrpcPeer();
            case "rpc-boot-tls" -> new RpcBootPeer(true);
            case "grpc-tls" -> new GrpcPeer(true);
            case "nio-floor" -> new NioFloorPeer();
            case "nio-floor-sockets" -> new NioSocketsFloorPeer();
            case "rpc-boot-http" -> new HttpJsonPeer();
            default -> name.matches("rpc-boot-defaults-client-\\d+x\\d+") ? RpcBootPeer.clientSweep(name) : throwUnknown(name);
        };
    }

    private static Peer throwUnknown(String name) {
        throw new IllegalArgumentException("unknown peer " + name + " (rpc-boot, rpc-boot-defaults, rpc-boot-pool, rpc-boot-virtual, rpc-boot-virtual-pool, rpc-boot-spring, rpc-boot-spring-defaults, rpc-boot-tls, rpc-boot-prometheus, rpc-boot-intercepted, rpc-boot-observed, rpc-boot-http, grpc, grpc-tls, nio-floor, nio-floor-sockets, rpc-boot-defaults-client-<loops>x<connections>)");
    }
}
