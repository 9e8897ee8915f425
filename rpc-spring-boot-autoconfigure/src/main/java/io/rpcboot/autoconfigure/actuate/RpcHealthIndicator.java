package io.rpcboot.autoconfigure.actuate;

import io.rpcboot.autoconfigure.RpcServerLifecycle;
import io.rpcboot.core.client.ConnectionPoolStats;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.registry.RegistryConnectionState;
import io.rpcboot.core.registry.ServiceRegistry;
import io.rpcboot.core.server.RpcServer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code rpc} health component: OUT_OF_SERVICE while the server is taken out of service or
 * drains (consumers are sending their calls elsewhere); DOWN when the server should run but does not (it failed to
 * start or is stopping), or when the registry lost its connection; UP otherwise, with the server's port, connections and calls in flight, and
 * the client's connections and calls in flight.
 */
public class RpcHealthIndicator extends AbstractHealthIndicator {

    private final @Nullable RpcServerLifecycle server;
    private final RpcClient client;
    private final ServiceRegistry registry;

    public RpcHealthIndicator(@Nullable RpcServerLifecycle server, RpcClient client, ServiceRegistry registry) {
        super("rpc health check failed");
        this.server = server;
        this.client = client;
        this.registry = registry;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        RegistryConnectionState registryState = registry.connectionState();
        builder.withDetail("registry", registry.name()).withDetail("registry.connection", registryState.name());
        if (registryState == RegistryConnectionState.LOST) {
            builder.down(); // calls still go to the known instances, but nothing new is learned or announced
            return;
        }
        if (server != null && server.isIdle()) {
            builder.withDetail("server", "not started: no @RpcProvider beans");
        } else if (server != null && (server.isDraining() || server.isRunning() && !server.isInService())) {
            // withdrawn from the registry on purpose: consumers send their calls elsewhere
            builder.status(Status.OUT_OF_SERVICE).withDetail("server", server.isDraining() ? "draining" : "out of service")
                    .withDetail("server.callsInFlight", server.getServer().inFlight());
            return;
        } else if (server != null) {
            RpcServer s = server.getServer();
            if (!server.isRunning() || !s.isRunning()) {
                builder.down().withDetail("server", "not running");
                return;
            }
            builder.withDetail("server.port", s.port()).withDetail("server.connections", s.openConnections())
                    .withDetail("server.callsInFlight", s.inFlight());
        }
        builder.up().withDetail("client.connections", client.poolStats().values().stream()
                        .mapToInt(ConnectionPoolStats::connections).sum())
                .withDetail("client.callsInFlight", client.inFlight());
    }
}
