package io.rpcboot.autoconfigure;

import java.io.UncheckedIOException;

import io.rpcboot.core.RpcException;

import io.rpcboot.core.server.RpcServer;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the {@link RpcServer} with the application context: it starts once every singleton is ready
 * (publishing the {@code @RpcProvider} beans collected by the {@link RpcServiceCatalog}), and on
 * shutdown it stops gracefully: deregisters, tells clients it is draining, stops accepting, waits for
 * calls in flight (up to {@code rpc.server.drain-timeout}), then closes. Its phase puts it after the
 * web server when starting and before it when stopping.
 */
public class RpcServerLifecycle implements SmartLifecycle {

    /** Starts after, and stops before, the embedded web server (whose phases are MAX-2048 and MAX-1024). */
    public static final int PHASE = Integer.MAX_VALUE - 1536;

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RpcServerLifecycle.class);

    private final RpcServer server;
    private final RpcServiceCatalog catalog;
    private final boolean alwaysListen;
    private volatile boolean running;
    /** Whether start found nothing to serve and left the server closed (not a failure). */
    private volatile boolean idle;

    /**
     * @param alwaysListen whether the server listens even when the application provides nothing
     *                     ({@code rpc.server.enabled=true})
     */
    public RpcServerLifecycle(RpcServer server, RpcServiceCatalog catalog, boolean alwaysListen) {
        this.server = server;
        this.catalog = catalog;
        this.alwaysListen = alwaysListen;
    }

    @Override
    public void start() {
        if (catalog.providers().isEmpty() && !alwaysListen) {
            idle = true;
            running = true;
            log.info("rpc server not started: this application has no @RpcProvider beans (rpc.server.enabled=true"
                    + " starts it anyway)");
            return;
        }
        for (RpcServiceCatalog.Provider provider : catalog.providers()) {
            server.addService(provider.definition());
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
