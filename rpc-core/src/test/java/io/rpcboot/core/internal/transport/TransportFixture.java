package io.rpcboot.core.internal.transport;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.rpcboot.core.internal.buffer.BufferPool;
import io.rpcboot.core.internal.reactor.EventLoop;
import io.rpcboot.core.internal.reactor.EventLoopGroup;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real loops, a real pool and real sockets on 127.0.0.1 for one test, plus the leak check that runs
 * after it: every server and client is closed, every connection gone, the pool's in-use count back
 * to zero, every loop terminated, and no exception escaped an event loop.
 */
final class TransportFixture implements AfterEachCallback {

    final BufferPool pool = BufferPool.createDefault();
    final EventLoopGroup boss = new EventLoopGroup("boss", 1, true);
    final EventLoopGroup workers = new EventLoopGroup("worker", 2, true);
    private final List<TcpServer> servers = new ArrayList<>();
    private final List<TcpClient> clients = new ArrayList<>();
    private final ListAppender<ILoggingEvent> loopLog = new ListAppender<>();
    private final Logger loopLogger = (Logger) LoggerFactory.getLogger(EventLoop.class);

    TransportFixture() {
        loopLog.start();
        loopLogger.addAppender(loopLog);
    }

    TcpServer server(TransportConfig config, Supplier<? extends ConnectionHandler> handlers) {
        TcpServer server = new TcpServer(config, boss.next(), workers, pool, handlers);
        servers.add(server);
        server.bind("127.0.0.1", 0);
        return server;
    }

    TcpClient client(TransportConfig config) {
        TcpClient client = new TcpClient(config, workers, pool);
        clients.add(client);
        return client;
    }

    Connection connect(TcpServer server, ConnectionHandler handler) {
        return connect(client(TransportConfig.DEFAULTS), server, handler);
    }

    Connection connect(TcpClient client, TcpServer server, ConnectionHandler handler) {
        return client.connect(new InetSocketAddress("127.0.0.1", server.port()), handler)
                .orTimeout(5, TimeUnit.SECONDS).join();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            clients.forEach(TcpClient::close);
            servers.forEach(TcpServer::close);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (TcpServer s : servers) {
                    assertThat(s.openConnections()).as("open connections of %s", s).isZero();
                }
                for (TcpClient c : clients) {
                    assertThat(c.connections()).as("open client connections").isEmpty();
                }
                assertThat(pool.inUse()).as("buffers still in use: %s", pool).isZero();
            });
        } finally {
            boss.close();
            workers.close();
            loopLogger.detachAppender(loopLog);
        }
        assertThat(boss.loops()).allMatch(EventLoop::isTerminated);
        assertThat(workers.loops()).allMatch(EventLoop::isTerminated);
        assertThat(pool.inUse()).isZero();
        assertThat(loopLog.list).as("exceptions that escaped to an event loop")
                .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).isEmpty();
    }
}
