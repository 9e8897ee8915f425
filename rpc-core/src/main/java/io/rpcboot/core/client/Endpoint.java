package io.rpcboot.core.client;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.rpcboot.core.internal.balance.LiveFigures;
import io.rpcboot.core.internal.pool.ConnectionPool;
import io.rpcboot.core.internal.pool.PoolConfig;
import io.rpcboot.core.internal.transport.Connection;
import io.rpcboot.core.tls.TlsConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One provider address: its pool of multiplexed connections, its live figures, and whether it is
 * unavailable for a while (it announced draining, or a connect to it just failed). Lives while at
 * least one reference of the client lists the address ({@link ClientRuntime#retain}); then it is
 * {@link #retire retired}: it takes no new call, and its connections close once the calls in flight
 * on them are answered (or time out).
 */
final class Endpoint {

    private static final Logger log = LoggerFactory.getLogger(Endpoint.class);

    /** How long an endpoint that announced draining gets no new calls. */
    static final Duration DRAINING_PAUSE = Duration.ofSeconds(10);
    /** How long an endpoint that refused a connection gets no new calls. */
    static final Duration FAILURE_PAUSE = Duration.ofSeconds(1);

    final String address;
    final SocketAddress socketAddress;
    final ConnectionPool<ClientConnection> pool;
    final LiveFigures figures = new LiveFigures(System::nanoTime);
    private final ClientRuntime runtime;
    private volatile long unavailableUntil;
    private volatile boolean paused;
    private volatile boolean retired;
    /** Whether this address has failed so often that calls should go elsewhere for a while. */
    final OutlierDetection.State outlier;
    /** TLS of this endpoint's connections; null: plaintext. */
    final @Nullable TlsConfig tls;

    Endpoint(ClientRuntime runtime, String address, SocketAddress socketAddress, @Nullable TlsConfig tls) {
        this.runtime = runtime;
        this.tls = tls;
        this.address = address;
        this.socketAddress = socketAddress;
        this.outlier = new OutlierDetection.State(runtime.config.outlierDetection());
        ClientConfig c = runtime.config;
        this.pool = new ConnectionPool<>(address, new PoolConfig(c.connectionsPerEndpoint(), c.maxInFlightPerConnection(),
                c.idleConnectionTimeout(), true), new Factory());
    }

    boolean isAvailable() {
        return !retired && (!paused || System.nanoTime() - unavailableUntil >= 0);
    }

    /**
     * No reference lists this address any more: new calls fail over (the closed pool refuses them),
     * calls in flight finish on their connections, and each connection closes once it has none.
     * Once, from whichever thread released the last reference.
     */
    void retire() {
        retired = true;
        pool.close(); // hands every connection to Factory.destroy, which drains it
    }

    /** A try here failed in a way that says the address is unwell (refused, lost, timed out, INTERNAL). */
    void outlierFailure() {
        if (outlier.failed(System.nanoTime())) {
            runtime.meters().ejections.increment();
            log.warn("ejected {} for {} ms after {} failures in a row (ejection {}): calls go to the other instances",
                    address, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(outlier.ejectedUntil() - System.nanoTime()),
                    runtime.config.outlierDetection().consecutiveFailures(), outlier.ejections());
        }
    }

    boolean isEjected() {
        return outlier.mayBeEjected() && outlier.isEjected(System.nanoTime());
    }

    void markDraining() {
        pause(DRAINING_PAUSE);
    }

    void markFailed() {
        pause(FAILURE_PAUSE);
    }

    private void pause(Duration d) {
        unavailableUntil = System.nanoTime() + d.toNanos();
        paused = true;
    }

    /** Opens the rest of the endpoint's connections in the background, one at a time. */
    private void warmUp() {
        if (pool.stats().size() + 1 >= runtime.config.connectionsPerEndpoint()) {
            return;
        }
        try {
            runtime.connector.execute(() -> {
                try {
                    pool.grow();
                } catch (RuntimeException e) {
                    log.debug("could not open another connection to {}: {}", address, e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            // the client is closing
        }
    }

    /** Opens connections, one per pool slot; blocking. */
    private final class Factory implements ConnectionPool.Factory<ClientConnection> {
        @Override
        public ClientConnection create() throws Exception {
            ClientConnection handler = new ClientConnection(runtime, Endpoint.this);
            CompletableFuture<Connection> connecting = runtime.tcp.connect(socketAddress, handler, tls);
            long waitMillis = runtime.config.connectTimeout().toMillis() + 1000
                    + (tls != null ? tls.handshakeTimeout().toMillis() : 0);
            try {
                connecting.get(waitMillis, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                markFailed();
                throw e.getCause() instanceof Exception cause ? cause : e;
            } catch (TimeoutException | InterruptedException e) {
                markFailed();
                connecting.cancel(false); // a connect that still succeeds is closed by the transport
                throw e;
            }
            paused = false; // a fresh connection: the endpoint is back
            warmUp();
            return handler;
        }

        @Override
        public boolean validate(ClientConnection connection) {
            return connection.isUsable();
        }

        @Override
        public void destroy(ClientConnection connection) {
            if (retired) {
                connection.closeWhenIdle("its instance " + address + " left the registry");
                return;
            }
            if (connection.isDraining()) {
                return; // it closes itself once its last call is answered
            }
            connection.close("connection pool closed it");
        }
    }
}
