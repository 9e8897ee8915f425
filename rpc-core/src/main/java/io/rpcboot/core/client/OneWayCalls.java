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

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OneWayCalls.class);

    private OneWayCalls() {
    }

    /** Sends the call by UDP, or returns false when it must be an ordinary call. */
    static boolean sendByUdp(ClientRuntime runtime, Reference<?> reference, ClientMethod method, Object[] args) {
        if (runtime.closed || reference.config.tls() != null || runtime.config.tls() != null) {
            return false; // closed: the ordinary path says so; TLS: never a call in the clear
        }
        CallScope scope = CallScope.current();
        long startNanos = runtime.clock.nanoTime();
        long deadlineNanos = CallContext.deadlineNanos(runtime, scope, method, startNanos);
        if (deadlineNanos - startNanos <= 0) {
            return false; // an inherited deadline already passed: the ordinary path says so
        }
        // only instances that take datagrams and that a call may go to now: one pick, among those
        ServiceInstance instance = reference.directory.pick(new Pick(reference, method, args));
        if (instance == null) {
            return false; // none takes UDP (or none is up): an ordinary call
        }
        int port = instance.udpPort();
        int max = instance.udpMaxDatagram();
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
            InetSocketAddress target = new InetSocketAddress(instance.host(), port);
            if (target.isUnresolved()) {
                return false; // the ordinary path reports the address it cannot reach
            }
            DatagramChannel channel = runtime.datagrams();
            int sent = channel.send(frame.buffer(), target);
            runtime.meters().datagrams(sent > 0).increment();
            return true;
        } catch (IOException | RuntimeException e) { // nothing was sent: an ordinary call carries it
            log.debug("{} could not go by UDP to {}:{}; sending it as an ordinary call", method.describe(),
                    instance.host(), port, e);
            return false;
        } finally {
            frame.release();
        }
    }

    /** What the balancer sees of a one-way call: only instances that take it by UDP, and are up and not ejected. */
    private record Pick(Reference<?> reference, ClientMethod call, Object[] args) implements LoadBalancer.CallInfo {
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
            if (instance.udpPort() == 0 || instance.udpMaxDatagram() == 0 || instance.requiresTls()) {
                return true;
            }
            Endpoint endpoint = reference.directory.endpoint(instance);
            return endpoint == null || !endpoint.isAvailable() || reference.directory.leftOut(endpoint);
        }
    }
}
