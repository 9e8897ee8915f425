package io.rpcboot.benchmark.load;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;

/**
 * gRPC-java unary calls on grpc-netty-shaded, with a byte[] marshaller (no protobuf, no protoc), one
 * channel (HTTP/2 multiplexes the callers) and {@code directExecutor()} on both sides, its fastest
 * configuration for a non-blocking handler.
 */
final class GrpcPeer implements Peer {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("bench.Echo/Echo")
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    @Override
    public String name() {
        return "grpc";
    }

    @Override
    public Server startServer(int port) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("bench.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
                })).build();
        io.grpc.Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .directExecutor().addService(service).build().start();
        return new Server() {
            public int port() {
                return server.getPort();
            }

            public void close() throws InterruptedException {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        };
    }

    @Override
    public Caller connect(int port) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor()
                .maxInboundMessageSize(64 * 1024 * 1024).build();
        return new Caller() {
            public byte[] call(byte[] payload) {
                return ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, payload);
            }

            public void close() throws InterruptedException {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        };
    }
}
