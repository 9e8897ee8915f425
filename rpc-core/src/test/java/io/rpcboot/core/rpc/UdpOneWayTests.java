package io.rpcboot.core.rpc;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.rpcboot.core.RpcPrincipal;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.MethodConfig;
import io.rpcboot.core.client.ReferenceConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.protocol.FrameBuilder;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.protocol.FrameType;
import io.rpcboot.core.internal.protocol.Headers;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.security.AuthenticationInterceptor;
import io.rpcboot.core.security.TokenAuthenticator;
import io.rpcboot.core.serialize.BinarySerialization;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import io.rpcboot.core.testing.TestCertificates;
import io.rpcboot.core.tls.TlsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/** One-way calls as UDP datagrams: real sockets on 127.0.0.1, a real server's UDP endpoint. */
class UdpOneWayTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    interface Events {
        void record(String event);

        String last();
    }

    static final class CountingEvents implements Events {
        final AtomicInteger recorded = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        volatile String last = "";

        @Override
        public void record(String event) {
            last = event;
            recorded.incrementAndGet();
        }

        @Override
        public String last() {
            reads.incrementAndGet();
            return last;
        }
    }

    private static ServerConfig.Builder udp() {
        return ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).udpEnabled(true);
    }

    private static double counter(RpcMetrics metrics, String name, String tag, String value) {
        return metrics.registry().get(name).tag(tag, value).counter().count();
    }

    @Test
    void tenThousandOneWayCallsArriveByUdpAndAreCounted() {
        RpcMetrics serverMetrics = RpcMetrics.simple();
        RpcMetrics clientMetrics = RpcMetrics.simple();
        CountingEvents events = new CountingEvents();
        RpcServer server = fixture.server(udp(), b -> b.metrics(serverMetrics).service(Events.class, events));
        ServiceInstance announced = fixture.registry.instances(new ServiceKey(Events.class.getName(), "", "")).get(0);
        assertThat(announced.udpPort()).isEqualTo(server.port());
        assertThat(announced.udpMaxDatagram()).isEqualTo(ServerConfig.DEFAULT_MAX_DATAGRAM_SIZE);

        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1), clientMetrics);
        Events remote = client.create(ReferenceConfig.builder(Events.class).method("record", MethodConfig.oneWayCall()).build());
        int total = 10_000;
        int batch = 100; // loopback drops what a full receive buffer cannot take: wait for each batch to land
        for (int sent = 0; sent < total; sent += batch) {
            for (int i = sent; i < sent + batch; i++) {
                remote.record("event " + i);
            }
            int expected = sent + batch;
            await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> events.recorded.get() >= expected);
        }
        assertThat(events.recorded.get()).isEqualTo(total);
        assertThat(remote.last()).as("other methods are ordinary calls").isEqualTo("event " + (total - 1));
        assertThat(serverMetrics.registry().find("rpc.server.requests").tag("protocol", "binary").tag("method", "record")
                .timer()).as("no one-way call went by TCP").isNull();
        assertThat(counter(clientMetrics, "rpc.client.udp.datagrams", "result", "sent")).isEqualTo(total);
        assertThat(counter(serverMetrics, "rpc.server.udp.datagrams", "result", "accepted")).isEqualTo(total);
        assertThat(serverMetrics.registry().get("rpc.server.requests").tag("protocol", "udp").tag("method", "record")
                .timer().count()).isEqualTo(total);
    }

    @Test
    void garbageDatagramsAreDroppedCountedAndNeverAnswered() throws Exception {
        RpcMetrics metrics = RpcMetrics.simple();
        CountingEvents events = new CountingEvents();
        RpcServer server = fixture.server(udp().maxDatagramSize(1024), b -> b.metrics(metrics).service(Events.class, events));
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", server.port());
        FrameCodec codec = new FrameCodec(BufferPool.createDefault(), 1 << 20, true, 0);
        try (DatagramChannel rogue = DatagramChannel.open()) {
            rogue.bind(new InetSocketAddress("127.0.0.1", 0));
            Random random = new Random(42);
            for (int i = 0; i < 100; i++) { // random bytes
                byte[] noise = new byte[1 + random.nextInt(900)];
                random.nextBytes(noise);
                noise[0] = 0x52; // even with the magic's first byte, nothing else holds
                rogue.send(ByteBuffer.wrap(noise), target);
            }
            byte[] call = oneWay(codec, FrameType.ONE_WAY, "x");
            rogue.send(ByteBuffer.wrap(call, 0, call.length - 3), target); // a frame cut short
            rogue.send(ByteBuffer.wrap(oneWay(codec, FrameType.REQUEST, "x")), target); // wants an answer: not by UDP
            byte[] two = new byte[call.length * 2];
            System.arraycopy(call, 0, two, 0, call.length);
            System.arraycopy(call, 0, two, call.length, call.length);
            rogue.send(ByteBuffer.wrap(two), target); // two frames in one datagram
            byte[] trailing = java.util.Arrays.copyOf(call, call.length + 2);
            rogue.send(ByteBuffer.wrap(trailing), target); // bytes after the frame
            rogue.send(ByteBuffer.wrap(new byte[2000]), target); // over the 1 KiB datagram limit
            rogue.send(ByteBuffer.wrap(oneWay(codec, FrameType.ONE_WAY, "the good one")), target);

            await().atMost(Duration.ofSeconds(20)).until(() ->
                    counter(metrics, "rpc.server.udp.datagrams", "result", "malformed") == 104
                            && counter(metrics, "rpc.server.udp.datagrams", "result", "oversize") == 1
                            && events.recorded.get() == 1);
            assertThat(events.last).isEqualTo("the good one");
            assertThat(counter(metrics, "rpc.server.udp.datagrams", "result", "accepted")).isEqualTo(1);
            rogue.configureBlocking(false);
            assertThat(rogue.receive(ByteBuffer.allocate(65536))).as("nothing is ever sent back").isNull();
        }
        RpcClient client = fixture.client();
        assertThat(client.create(Events.class).last()).as("the server is fine").isEqualTo("the good one");
    }

    /** A one-way (or request) frame calling Events.record(event), as a client would send it. */
    private static byte[] oneWay(FrameCodec codec, FrameType type, String event) {
        FrameBuilder b = codec.start(type, 0, BinarySerialization.ID, RpcStatus.OK)
                .header(Headers.SERVICE, Events.class.getName()).header(Headers.METHOD, "record(java.lang.String)");
        try {
            io.rpcboot.core.RpcMethod record = new io.rpcboot.core.RpcMethod(Events.class.getName(),
                    Events.class.getMethod("record", String.class));
            new BinarySerialization(new io.rpcboot.core.serialize.TypeAllowList()).parameterCodecs(record)[0]
                    .write(b.body(), event);
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
        PooledBuffer frame = b.finish();
        try {
            ByteBuffer bytes = frame.buffer();
            byte[] out = new byte[bytes.remaining()];
            bytes.get(out);
            return out;
        } finally {
            frame.release();
        }
    }

    @Test
    void anInstanceWithoutUdpGetsOrdinaryCallsAndNonVoidMethodsCannotBeOneWay() {
        CountingEvents events = new CountingEvents();
        fixture.server(b -> b.service(Events.class, events)); // no UDP
        RpcMetrics clientMetrics = RpcMetrics.simple();
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1), clientMetrics);
        Events remote = client.create(ReferenceConfig.builder(Events.class).method("record", MethodConfig.oneWayCall()).build());
        remote.record("by TCP");
        assertThat(events.recorded.get()).as("an ordinary call: done when it returns").isEqualTo(1);
        assertThat(counter(clientMetrics, "rpc.client.udp.datagrams", "result", "sent")).isZero();
        assertThatIllegalArgumentException().isThrownBy(() -> client.create(ReferenceConfig.builder(Events.class)
                .method("last", MethodConfig.oneWayCall()).build())).withMessageContaining("one-way is for void methods");
    }

    @Test
    void udpIsRefusedWithTlsOrAuthentication() {
        TestCertificates ca = TestCertificates.authority("udp test CA");
        TlsConfig tls = TlsConfig.builder(TestCertificates.context(ca.server("provider"), ca)).build();
        assertThatIllegalArgumentException().isThrownBy(() -> udp().tls(tls).build())
                .withMessageStartingWith("udpEnabled cannot be on while the server requires TLS");
        TokenAuthenticator tokens = new TokenAuthenticator(Map.of("t", new RpcPrincipal("p", Set.of(), RpcPrincipal.TOKEN)));
        assertThatIllegalArgumentException().isThrownBy(() -> RpcServer.builder().config(udp().build())
                        .interceptor(new AuthenticationInterceptor(List.of(tokens), true)).build())
                .withMessageStartingWith("udpEnabled cannot be on while the server authenticates");
        assertThatIllegalArgumentException().isThrownBy(() -> udp().maxDatagramSize(70_000).build())
                .withMessageStartingWith("maxDatagramSize must be");
    }

    @Test
    void oneWayCallsGoOnlyToInstancesThatTakeThemAndOrdinaryCallsToAll() {
        CountingEvents withUdp = new CountingEvents();
        CountingEvents withoutUdp = new CountingEvents();
        fixture.server(udp(), b -> b.service(Events.class, withUdp));
        fixture.server(b -> b.service(Events.class, withoutUdp));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1).loadBalancer("round-robin"));
        Events remote = client.create(ReferenceConfig.builder(Events.class).method("record", MethodConfig.oneWayCall()).build());
        for (int i = 0; i < 20; i++) {
            remote.record("e" + i);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> withUdp.recorded.get() == 20);
        assertThat(withoutUdp.recorded.get()).as("a one-way call picks among the instances that take UDP").isZero();
        for (int i = 0; i < 4; i++) {
            remote.last();
        }
        assertThat(withUdp.reads.get()).as("ordinary calls go round both instances").isEqualTo(2);
        assertThat(withoutUdp.reads.get()).isEqualTo(2);
    }

    interface Gate {
        void pass();
    }

    @Test
    void callsFromDatagramsInFlightAreCappedAsOneConnectionsAre() throws Exception {
        RpcMetrics metrics = RpcMetrics.simple();
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger passed = new AtomicInteger();
        fixture.server(udp().maxConcurrentCallsPerConnection(1), b -> b.metrics(metrics).service(Gate.class, () -> {
            entered.countDown();
            try {
                release.await(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            passed.incrementAndGet();
        }));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1), RpcMetrics.simple());
        Gate gate = client.create(ReferenceConfig.builder(Gate.class).method("pass", MethodConfig.oneWayCall()).build());
        gate.pass();
        assertThat(entered.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        gate.pass();
        gate.pass();
        await().atMost(Duration.ofSeconds(20)).until(() -> metrics.registry().get("rpc.limits.exceeded")
                .tag("reason", "calls_per_connection").counter().count() == 2);
        release.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> passed.get() == 1);
        gate.pass(); // the slot is free again
        await().atMost(Duration.ofSeconds(20)).until(() -> passed.get() == 2);
    }
}
