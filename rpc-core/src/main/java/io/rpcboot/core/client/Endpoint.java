package io.rpcboot.core.client;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * unavailable (it announced draining, a connect to it failed and no probe has connected since, or
 * it is ejected: {@link OutlierDetection}), or slow-starting. Lives while at
 * least one reference of the client lists the address ({@link ClientRuntime#retain}); then it is
 * {@link #retire retired}: it takes no new call, and its connections close once the calls in flight
 * on them are answered (or time out).
 */
final class Endpoint {

    private static final Logger log = LoggerFactory.getLogger(Endpoint.class);

    /** How long an endpoint that announced draining gets no new calls. */
    static final Duration DRAINING_PAUSE = Duration.ofSeconds(10);
    /** How long after a failed connect, or an ejection's end, the first background probe runs. */
    static final Duration FIRST_PROBE = Duration.ofSeconds(1);
    /** The longest wait between two probes of an address that keeps failing them. */
    static final Duration MAX_PROBE_INTERVAL = Duration.ofSeconds(5);

    final String address;
    final SocketAddress socketAddress;
    final ConnectionPool<ClientConnection> pool;
    final LiveFigures figures = new LiveFigures(System::nanoTime);
    private final ClientRuntime runtime;
    private volatile long unavailableUntil;
    private volatile boolean paused;
    /** A connect failed: no calls until a background probe connects. */
    private volatile boolean unreachable;
    private volatile boolean retired;
    /** Set while a probe is scheduled or running: at most one per endpoint. */
    private final AtomicBoolean probing = new AtomicBoolean();
    /** Probes failed in a row, for the back-off between them; reset by any connection that opens. */
    private volatile int probeFailures;
    /** While slow-starting: since when (nanoTime); read on the call path only when {@link #slowStarting}. */
    private volatile long slowStartFrom;
    private volatile boolean slowStarting;
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
        return !retired && !unreachable && (!paused || System.nanoTime() - unavailableUntil >= 0);
    }

    boolean isUnreachable() {
        return unreachable;
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
        long now = System.nanoTime();
        if (outlier.failed(now)) {
            runtime.meters().ejections.increment();
            slowStarting = false;
            long ejectedNanos = outlier.ejectedUntil() - now;
            log.warn("ejected {} for {} ms (ejection {}): it failed {}; calls go to the other instances, and it is"
                    + " probed when the time is up", address, TimeUnit.NANOSECONDS.toMillis(ejectedNanos),
                    outlier.ejections(), runtime.config.outlierDetection().describeRules());
            scheduleProbe(ejectedNanos);
        }
    }

    /** Whether the address is ejected, from its ejection until a probe readmits it. No clock read. */
    boolean isEjected() {
        return outlier.isEjected();
    }

    void markDraining() {
        pause(DRAINING_PAUSE);
    }

    /** A connect failed: no calls go here until a background probe connects. */
    void markFailed() {
        if (pool.stats().size() > 0) {
            return; // another connection of the pool works: one failed connect says nothing of the address
        }
        if (!unreachable) {
            unreachable = true;
            slowStarting = false;
            log.info("cannot connect to {}: it gets no calls until a background probe connects", address);
        }
        scheduleProbe(FIRST_PROBE.toNanos());
    }

    /**
     * This address joins a reference that already has instances: its share of calls grows from
     * {@link OutlierDetection#SLOW_START_FLOOR} to all of it over the slow-start time.
     */
    void startSlowStart() {
        if (!runtime.config.outlierDetection().slowStart().isZero()) {
            slowStartFrom = System.nanoTime();
            slowStarting = true;
        }
    }

    /**
     * The share of its calls this address takes now: 1 unless slow-starting. The first read past the
     * end of the slow start ends it, so the common path reads one volatile boolean.
     */
    double callShare() {
        if (!slowStarting) {
            return 1;
        }
        double elapsed = (System.nanoTime() - slowStartFrom) / (double) runtime.config.outlierDetection().slowStart().toNanos();
        if (elapsed >= 1) {
            slowStarting = false;
            return 1;
        }
        return Math.max(OutlierDetection.SLOW_START_FLOOR, elapsed);
    }

    /** When a probe will run or is running. */
    boolean isProbing() {
        return probing.get();
    }

    /**
     * Runs a probe after {@code delayNanos}, on a connector thread, unless one is already scheduled:
     * a connection (the pool's, or a new one) that answers a heartbeat within the connect timeout.
     */
    private void scheduleProbe(long delayNanos) {
        if (retired || runtime.closed || !probing.compareAndSet(false, true)) {
            return;
        }
        try {
            runtime.clock.schedule(runtime.loops.next(), Math.max(1, delayNanos), () -> {
                try {
                    runtime.connector.execute(this::probe);
                } catch (RejectedExecutionException e) {
                    probing.set(false); // the client is closing
                }
            });
        } catch (RejectedExecutionException e) {
            probing.set(false);
        }
    }

    /** On a connector thread. */
    private void probe() {
        if (retired || runtime.closed) {
            probing.set(false);
            return;
        }
        boolean ok = false;
        String why = "";
        long timeoutMillis = runtime.config.connectTimeout().toMillis()
                + (tls != null ? tls.handshakeTimeout().toMillis() : 0);
        try {
            ClientConnection c = pool.acquire(timeoutMillis, TimeUnit.MILLISECONDS);
            try {
                c.probe().get(timeoutMillis, TimeUnit.MILLISECONDS);
                ok = true;
            } finally {
                pool.release(c);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "interrupted";
        } catch (Exception e) {
            why = e instanceof TimeoutException ? "no heartbeat reply within " + timeoutMillis + " ms"
                    : String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        }
        probing.set(false);
        runtime.meters().probe(ok).increment();
        long now = System.nanoTime();
        if (!ok) {
            probeFailures++;
            log.debug("probe of {} failed ({}): probing again later", address, why);
            scheduleProbe(Math.min(MAX_PROBE_INTERVAL.toNanos(), FIRST_PROBE.toNanos() << Math.min(probeFailures, 10)));
            return;
        }
        // an unreachable address was made reachable (and slow-started) by the connection the probe opened
        probeFailures = 0;
        if (outlier.isEjected()) {
            if (outlier.probeSucceeded(now)) {
                log.info("readmitted {}: its ejection is over and it answered a probe; slow start", address);
                startSlowStart();
            } else {
                scheduleProbe(outlier.ejectedUntil() - now); // a connect failure's probe, ahead of the ejection's end
            }
        }
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
            paused = false; // a fresh connection: the endpoint is back (a probe's, or a call's when none was left)
            probeFailures = 0;
            if (unreachable) {
                unreachable = false;
                log.info("{} is reachable again: slow start", address);
                startSlowStart();
            }
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
