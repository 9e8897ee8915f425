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
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;

/**
 * gRPC-java unary calls on grpc-netty-shaded, with a byte[] marshaller (no protobuf, no protoc), one
 * channel (HTTP/2 multiplexes the callers) and {@code directExecutor()} on both sides, its fastest
 * configuration for a non-blocking handler. With TLS ({@code grpc-tls}): TLS 1.3 on the provider gRPC
 * picks in production, BoringSSL through the netty-tcnative library grpc-netty-shaded bundles, with
 * the certificates of {@link BenchTls}. BoringSSL does not let TLS 1.3 suites be chosen; it picks
 * {@link BenchTls#CIPHER} first on CPUs with AES instructions, and the server prints what was agreed.
 */
final class GrpcPeer implements Peer {

    private final boolean tls;

    GrpcPeer() {
        this(false);
    }

    GrpcPeer(boolean tls) {
        this.tls = tls;
    }

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
        return tls ? "grpc-tls" : "grpc";
    }

    @Override
    public Server startServer(int port) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("bench.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
                })).build();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .directExecutor();
        if (tls) {
            builder.sslContext(GrpcSslContexts.forServer(BenchTls.serverCertificate().toFile(),
                    BenchTls.serverKey().toFile()).protocols(BenchTls.PROTOCOL).build());
            builder.addService(ServerInterceptors.intercept(service, new SessionReport()));
        } else {
            builder.addService(service);
        }
        io.grpc.Server server = builder.build().start();
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
    public Caller connect(int port) throws IOException {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", port).directExecutor()
                .maxInboundMessageSize(64 * 1024 * 1024);
        if (tls) {
            builder.sslContext(GrpcSslContexts.forClient().trustManager(BenchTls.caCertificate().toFile())
                    .protocols(BenchTls.PROTOCOL).build());
        } else {
            builder.usePlaintext();
        }
        ManagedChannel channel = builder.build();
        return new Caller() {
            public byte[] call(byte[] payload) {
                return ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, payload);
            }

            public void close() throws InterruptedException {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        };
    }

    /** Prints, once, the protocol, cipher suite and engine of the first TLS call (to stderr: stdout is the READY line). */
    private static final class SessionReport implements ServerInterceptor {
        private volatile boolean reported;

        @Override
        public <Q, S> ServerCall.Listener<Q> interceptCall(ServerCall<Q, S> call, Metadata headers,
                                                          ServerCallHandler<Q, S> next) {
            if (!reported) {
                reported = true;
                javax.net.ssl.SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                System.err.println("grpc-tls session: " + (session == null ? "none" : session.getProtocol() + " "
                        + session.getCipherSuite() + " (" + session.getClass().getName() + ")"));
            }
            return next.startCall(call, headers);
        }
    }
}
