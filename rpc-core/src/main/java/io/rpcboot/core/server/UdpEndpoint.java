package io.rpcboot.core.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.metrics.Meters;
import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.protocol.FrameDecoder;
import io.rpcboot.core.internal.protocol.FrameType;
import io.rpcboot.core.internal.protocol.PeerWarnings;
import io.rpcboot.core.internal.protocol.ProtocolException;
import io.rpcboot.core.internal.reactor.EventLoop;
import io.rpcboot.core.internal.reactor.IoHandler;
import io.rpcboot.core.internal.reactor.IoRegistration;
import io.rpcboot.core.tls.TlsPeer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-way calls over UDP, on the server's port number: each datagram is one rpc-boot
 * {@link FrameType#ONE_WAY} frame, handed to the dispatcher as a frame from a connection would be
 * (the same limits, execution and metrics, with {@code protocol="udp"}) and never answered. A
 * datagram above {@code maxDatagramSize}, one that is not exactly one well-formed one-way frame, or
 * one that arrives while the server stops is dropped and counted, never answered: a sender learns
 * nothing from UDP, which is what makes it safe to expose and what makes it lossy.
 *
 * <pre>
 *  loop: readable ─► receive (at most 64 per wake-up) ─► over the size? ─► drop (oversize)
 *                                                   ─► decode: not one ONE_WAY frame? ─► drop (malformed)
 *                                                   ─► dispatcher (pool or loop, as for TCP) ─► no answer
 * </pre>
 *
 * Datagrams carry no TLS and no connection to authenticate, so the server refuses UDP when it
 * requires TLS or authentication ({@link RpcServer}).
 */
final class UdpEndpoint implements IoHandler {

    private static final Logger log = LoggerFactory.getLogger(UdpEndpoint.class);
    /** Datagrams read per readiness event before the loop serves its other channels. */
    private static final int MAX_PER_EVENT = 64;
    /**
     * Who the warnings about dropped datagrams are rate-limited as: one window per reason for all
     * senders, since a sender's address is whatever it claims (one per datagram would flood the log).
     */
    private static final SocketAddress ANY_SENDER = InetSocketAddress.createUnresolved("udp-senders", 0);

    private final DatagramChannel channel;
    private final FrameCodec codec;
    private final RequestDispatcher dispatcher;
    private final int maxDatagramSize;
    /** One byte more than the limit: a datagram that fills it was larger, and was cut by the receive. */
    private final ByteBuffer buffer;
    private final Counter accepted;
    private final Counter malformed;
    private final Counter oversize;
    private final Counter fullTurns;
    private final Counter bytesReceived;
    private final PeerWarnings warnings;
    private volatile @Nullable IoRegistration registration;
    private volatile boolean open = true;
    /** Calls from datagrams in flight, bounded as one connection's are: a flood cannot take every worker. */
    private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    private final int maxCalls;

    private UdpEndpoint(DatagramChannel channel, FrameCodec codec, RequestDispatcher dispatcher, int maxDatagramSize,
                        int maxCalls, Meters meters, Counter bytesReceived, PeerWarnings warnings) {
        this.maxCalls = maxCalls;
        this.channel = channel;
        this.codec = codec;
        this.dispatcher = dispatcher;
        this.maxDatagramSize = maxDatagramSize;
        this.buffer = ByteBuffer.allocateDirect(maxDatagramSize + 1);
        this.accepted = meters.udpDatagrams("accepted");
        this.malformed = meters.udpDatagrams("malformed");
        this.oversize = meters.udpDatagrams("oversize");
        this.fullTurns = meters.udpFullTurns();
        this.bytesReceived = bytesReceived;
        this.warnings = warnings;
    }

    /** Binds {@code host:port} (UDP) and starts reading on {@code loop}. */
    static UdpEndpoint open(String host, int port, EventLoop loop, FrameCodec codec, RequestDispatcher dispatcher,
                            int maxDatagramSize, int maxCalls, Meters meters, Counter bytesReceived, PeerWarnings warnings)
            throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            channel.bind(new InetSocketAddress(host, port));
            UdpEndpoint endpoint = new UdpEndpoint(channel, codec, dispatcher, maxDatagramSize, maxCalls, meters,
                    bytesReceived, warnings);
            endpoint.registration = loop.register(channel, SelectionKey.OP_READ, endpoint).get(10, TimeUnit.SECONDS);
            return endpoint;
        } catch (IOException e) {
            channel.close();
            throw e;
        } catch (Exception e) {
            channel.close();
            throw new IOException("cannot register the UDP endpoint on " + host + ":" + port + ": " + e, e);
        }
    }

    /** The port bound. */
    int port() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            return -1;
        }
    }

    int maxDatagramSize() {
        return maxDatagramSize;
    }

    @Override
    public void handleReady(IoRegistration reg, int readyOps) throws IOException {
        for (int i = 0; i < MAX_PER_EVENT && open; i++) {
            buffer.clear();
            SocketAddress from = channel.receive(buffer);
            if (from == null) {
                return;
            }
            buffer.flip();
            bytesReceived.increment(buffer.remaining());
            if (buffer.remaining() > maxDatagramSize) {
                oversize.increment();
                warnings.warn(ANY_SENDER, "udp_oversize", "dropped a datagram from {}: more than {} bytes"
                        + " (rpc.server.udp.max-datagram-size)", from, maxDatagramSize);
                continue;
            }
            try {
                receive(from, buffer);
            } catch (RuntimeException e) { // a bug: this datagram is lost, the endpoint goes on
                malformed.increment();
                log.warn("dropped a datagram from {}: {}", from, e.toString(), e);
            }
        }
        if (open) {
            fullTurns.increment(); // the most a turn may read: the rest (if any) waits for the next turn
        }
    }

    /** Reading failed for good: the endpoint is closed, and says so (instances still announce UDP until restarted). */
    @Override
    public void handleFailure(IoRegistration reg, Throwable failure) {
        open = false;
        log.error("the UDP endpoint of one-way calls failed and is closed; datagrams sent to it are lost", failure);
        reg.cancelAndClose();
    }

    /** One datagram: exactly one one-way frame goes to the dispatcher; anything else is dropped. */
    private void receive(SocketAddress from, ByteBuffer datagram) {
        FrameDecoder decoder = codec.newDecoder(); // nothing carries over from one datagram to the next
        Frame[] got = new Frame[1];
        int[] frames = new int[1];
        String problem = null;
        try {
            decoder.decode(datagram, f -> {
                if (frames[0]++ == 0) {
                    got[0] = f;
                } else {
                    f.release();
                }
            });
            if (decoder.hasPartialFrame()) {
                problem = "the datagram has bytes after its frame";
            }
        } catch (ProtocolException e) {
            problem = e.getMessage();
        } finally {
            decoder.close(); // releases a frame begun and not finished
        }
        Frame frame = got[0];
        if (problem == null) {
            if (frame == null) {
                problem = "the datagram holds no whole frame";
            } else if (frames[0] > 1) {
                problem = "the datagram holds " + frames[0] + " frames, not one";
            } else if (frame.type() != FrameType.ONE_WAY) {
                problem = "a " + frame.type() + " frame: only one-way calls come by UDP";
            }
        }
        if (problem != null) {
            if (frame != null) {
                frame.release();
            }
            malformed.increment();
            warnings.warn(ANY_SENDER, "udp_malformed", "dropped a datagram from {}: {}", from, problem);
            return;
        }
        accepted.increment();
        dispatcher.dispatch(new Sender(from), frame);
    }

    /** Stops reading and closes the socket; datagrams sent afterwards are lost. Any thread. */
    void close() {
        open = false;
        IoRegistration r = registration;
        if (r != null) {
            // a registered channel is really closed (its port free) once its selector deregisters it:
            // close it on the loop and wait for the loop's next selection
            EventLoop loop = r.eventLoop();
            java.util.concurrent.CompletableFuture<Void> freed = new java.util.concurrent.CompletableFuture<>();
            try {
                loop.execute(() -> {
                    r.cancelAndClose();
                    loop.schedule(0, TimeUnit.MILLISECONDS, () -> freed.complete(null));
                });
                if (!loop.inEventLoop()) {
                    freed.get(5, TimeUnit.SECONDS);
                }
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the loop has stopped, and closed its channels
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                log.warn("the UDP port may still be bound", e);
            }
        } else {
            try {
                channel.close();
            } catch (IOException e) {
                log.debug("closing the UDP endpoint failed", e);
            }
        }
    }

    /** The sender of one datagram, as the dispatcher sees it: never answered, never closed. */
    private final class Sender implements CallSource {
        private final SocketAddress from;

        Sender(SocketAddress from) {
            this.from = from;
        }

        @Override
        public boolean admitCall() {
            if (calls.incrementAndGet() > maxCalls) { // all senders together, as one connection
                calls.decrementAndGet();
                return false;
            }
            return true;
        }

        @Override
        public void callEnded() {
            calls.decrementAndGet();
        }

        @Override
        public void limitExceeded(String reason) {
            dispatcher.limitExceeded(reason);
        }

        @Override
        public void close(String reason) {
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public @Nullable TlsPeer tlsPeer() {
            return null;
        }

        @Override
        public SocketAddress remoteAddress() {
            return from;
        }

        @Override
        public @Nullable ProvidedMethod lastMethod(String service, @Nullable String version, @Nullable String group,
                                                   String signature) {
            return null;
        }

        @Override
        public void rememberMethod(String service, @Nullable String version, @Nullable String group, String signature,
                                   ProvidedMethod method) {
        }

        @Override
        public boolean send(PooledBuffer frame) {
            frame.release(); // one-way: nothing is sent back, not even an error
            return false;
        }

        @Override
        public Meters.CallTimers timers(ProvidedMethod method) {
            return method.udpTimers;
        }

        @Override
        public String toString() {
            return "datagram from " + from;
        }
    }
}
