package io.rpcboot.autoconfigure;

import java.io.UncheckedIOException;

import io.rpcboot.core.server.RpcServer;
import org.springframework.context.ApplicationContextException;
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

    private final RpcServer server;
    private final RpcServiceCatalog catalog;
    private volatile boolean running;

    public RpcServerLifecycle(RpcServer server, RpcServiceCatalog catalog) {
        this.server = server;
        this.catalog = catalog;
    }

    @Override
    public void start() {
        for (RpcServiceCatalog.Provider provider : catalog.providers()) {
            server.addService(provider.definition());
        }
        try {
            server.start();
        } catch (UncheckedIOException e) {
            throw new ApplicationContextException("the rpc server cannot listen on " + server.config().host() + ":"
                    + server.config().port() + " (rpc.server.host, rpc.server.port): " + e.getCause().getMessage()
                    + ". Set rpc.server.port to a free port, or to 0 to pick one", e);
        }
        running = true;
    }

    @Override
    public void stop() {
        server.stop();
        running = false;
    }

    /**
     * Starts the drain and returns: the context stops the other beans of this phase meanwhile, and
     * {@code callback} runs (on the server's drain thread) once the server has terminated.
     */
    @Override
    public void stop(Runnable callback) {
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

    public RpcServer getServer() {
        return server;
    }
}
