package io.rpcboot.autoconfigure;

import java.io.UncheckedIOException;

import io.rpcboot.core.RpcException;

import io.rpcboot.core.server.RpcServer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the {@link RpcServer} with the application context: it starts once every singleton is ready
 * (publishing the {@code @RpcProvider} beans collected by the {@link RpcServiceCatalog}), and on
 * shutdown it stops gracefully: deregisters, tells clients it is draining, stops accepting, waits for
 * calls in flight (up to {@code rpc.server.drain-timeout}), then closes. Its phase puts it after the
 * web server when starting and before it when stopping. Out of service (Actuator's operation) and
 * while draining, it tells Spring Boot the application refuses traffic ({@link ReadinessState}).
 */
public class RpcServerLifecycle implements SmartLifecycle {

    /**
     * Starts after the embedded web server (MAX-2048), and stops first: before the web server's
     * graceful shutdown (MAX-1024) begins, so that Actuator (health, readiness) answers while the rpc
     * server drains. The rpc client, a bean, is closed after every phase.
     */
    public static final int PHASE = Integer.MAX_VALUE - 512;

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RpcServerLifecycle.class);

    private final RpcServer server;
    private final RpcServiceCatalog catalog;
    private final boolean alwaysListen;
    private final @Nullable ApplicationEventPublisher events;
    private volatile boolean draining;
    private volatile boolean running;
    /** Whether start found nothing to serve and left the server closed (not a failure). */
    private volatile boolean idle;

    /**
     * @param alwaysListen whether the server listens even when the application provides nothing
     *                     ({@code rpc.server.enabled=true})
     */
    public RpcServerLifecycle(RpcServer server, RpcServiceCatalog catalog, boolean alwaysListen) {
        this(server, catalog, alwaysListen, null);
    }

    /** @param events where readiness changes are published (the application context); null publishes none */
    public RpcServerLifecycle(RpcServer server, RpcServiceCatalog catalog, boolean alwaysListen,
                              @Nullable ApplicationEventPublisher events) {
        this.server = server;
        this.catalog = catalog;
        this.alwaysListen = alwaysListen;
        this.events = events;
    }

    /**
     * Takes the server out of service (see {@link RpcServer#takeOutOfService}) and marks the
     * application as refusing traffic.
     *
     * @return whether it was in service
     */
    public boolean outOfService() {
        boolean changed = !idle && server.takeOutOfService();
        if (changed) {
            readiness(ReadinessState.REFUSING_TRAFFIC);
        }
        return changed;
    }

    /**
     * Puts the server back in service and marks the application as accepting traffic.
     *
     * @return whether it was out of service
     */
    public boolean inService() {
        boolean changed = !idle && server.putInService();
        if (changed) {
            readiness(ReadinessState.ACCEPTING_TRAFFIC);
        }
        return changed;
    }

    /** Whether the server runs and announces its services (false out of service, draining, or idle). */
    public boolean isInService() {
        return !idle && server.isInService();
    }

    /** Whether a graceful stop is under way (withdrawn, waiting for calls in flight). */
    public boolean isDraining() {
        return draining;
    }

    private void readiness(ReadinessState state) {
        if (events != null) {
            AvailabilityChangeEvent.publish(events, this, state);
        }
    }

    @Override
    public void start() {
        if (catalog.providers().isEmpty() && server.services().isEmpty() && !alwaysListen) {
            idle = true;
            running = true;
            log.info("rpc server not started: this application provides no service (no @RpcProvider beans;"
                    + " rpc.server.enabled=true starts it anyway)");
            return;
        }
        for (RpcServiceCatalog.Provider provider : catalog.providers()) {
            try {
                server.addService(provider.definition());
            } catch (IllegalArgumentException e) {
                throw new RpcStartupException("@RpcProvider bean '" + provider.beanName() + "' cannot be published: "
                        + e.getMessage(), "Correct the rpc.server.services property the message names, or the bean.", e);
            }
        }
        try {
            server.start();
        } catch (UncheckedIOException e) {
            throw new RpcStartupException("The rpc server could not listen on " + server.config().host() + ":"
                    + server.config().port() + " (rpc.server.host, rpc.server.port): " + e.getCause().getMessage() + ".",
                    "Set rpc.server.port to a free port (0 picks one), or stop the process that listens on "
                            + server.config().port() + "." + (catalog.providers().isEmpty() ? " This application"
                            + " provides no service: rpc.server.enabled=false keeps it from listening at all." : ""), e);
        } catch (RpcException e) { // announcing the services failed: the registry refused or could not be reached
            throw new RpcStartupException("The rpc server could not publish its services: " + e.getMessage(),
                    "Check that the registry at rpc.registry.address is reachable and accepts this application"
                            + " (rpc.registry.zookeeper.username and password when its nodes are protected).", e);
        }
        running = true;
    }

    @Override
    public void stop() {
        if (!idle) {
            server.stop();
        }
        running = false;
    }

    /**
     * Starts the drain and returns: the context stops the other beans of this phase meanwhile, and
     * {@code callback} runs (on the server's drain thread) once the server has terminated.
     */
    @Override
    public void stop(Runnable callback) {
        if (idle) {
            running = false;
            callback.run();
            return;
        }
        draining = true;
        readiness(ReadinessState.REFUSING_TRAFFIC);
        server.shutdown();
        running = false;
        server.whenTerminated().whenComplete((drained, failure) -> callback.run());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Whether the server was left closed because the application provides no service. */
    public boolean isIdle() {
        return idle;
    }

    public RpcServer getServer() {
        return server;
    }
}
