package io.rpcboot.core.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.balance.LoadBalancer;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.context.CallScope;
import io.rpcboot.core.internal.protocol.FrameType;
import io.rpcboot.core.registry.ServiceInstance;

/**
 * One-way calls by UDP ({@link MethodConfig#oneWay()}): the instance the balancer picks, if it
 * announced a UDP port ({@link ServiceInstance#udpPort()}), gets the call as one
 * {@link FrameType#ONE_WAY} frame in one datagram, sent from the caller's thread without waiting for
 * anything. There is no answer, no retry and no delivery guarantee; a datagram the socket has no
 * room for is dropped at once. Client interceptors do not see these calls (there is no outcome to
 * show them); the call's metadata and deadline travel as for any call.
 *
 * <p>Everything else is an ordinary call, made by the caller as usual: an instance without UDP, one
 * that requires TLS, a frame larger than the instance's announced datagram size.
 */
final class OneWayCalls {

    private OneWayCalls() {
    }

    /** Sends the call by UDP, or returns false when it must be an ordinary call. */
    static boolean sendByUdp(ClientRuntime runtime, Reference<?> reference, ClientMethod method, Object[] args) {
        if (runtime.closed) {
            return false; // the ordinary path says why
        }
        ServiceInstance instance = reference.directory.pick(new Pick(method, args));
        if (instance == null || instance.requiresTls()) {
            return false;
        }
        int port = instance.udpPort();
        int max = instance.udpMaxDatagram();
        if (port == 0 || max == 0) {
            return false;
        }
        CallScope scope = CallScope.current();
        long startNanos = runtime.clock.nanoTime();
        long deadlineNanos = CallContext.deadlineNanos(runtime, scope, method, startNanos);
        Map<String, String> metadata = CallContext.metadata(runtime, reference, scope, false);
        long deadlineMillis = runtime.clock.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(deadlineNanos - startNanos);
        PooledBuffer frame;
        try {
            frame = CallFrames.request(runtime.codec, FrameType.ONE_WAY, reference, method, args, 0, deadlineMillis,
                    metadata, runtime.config.peerLimits());
        } catch (RuntimeException e) {
            throw new RpcException("cannot send " + method.describe() + ": " + e.getMessage(), e);
        }
        try {
            if (frame.readableBytes() > max) {
                return false; // too large for the instance's datagrams: an ordinary call carries it
            }
            DatagramChannel channel = runtime.datagrams();
            int sent = channel.send(frame.buffer(), new InetSocketAddress(instance.host(), port));
            runtime.meters().datagrams(sent > 0).increment();
            return true;
        } catch (IOException e) {
            throw new RpcException("cannot send " + method.describe() + " by UDP to " + instance.host() + ":" + port
                    + ": " + e.getMessage(), e);
        } finally {
            frame.release();
        }
    }

    /** What the balancer sees of a one-way call. */
    private record Pick(ClientMethod call, Object[] args) implements LoadBalancer.CallInfo {
        @Override
        public String method() {
            return call.signature;
        }

        @Override
        public Object[] arguments() {
            return args;
        }

        @Override
        public boolean excluded(ServiceInstance instance) {
            return false;
        }
    }
}
