package io.rpcboot.autoconfigure.actuate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;

/**
 * Puts the {@code rpc} component in the {@code readiness} group of an application whose rpc server
 * listens: such an instance is ready only while its server runs, is in service and its registry is
 * reachable. A consumer-only application's readiness is left alone (losing the registry does not
 * stop it calling the instances it knows), and so is a readiness group the application configures
 * itself ({@code management.endpoint.health.group.readiness.include}).
 */
class RpcReadinessGroup implements HealthEndpointGroupsPostProcessor {

    static final String READINESS = "readiness";
    static final String COMPONENT = "rpc";

    private final BooleanSupplier serverListens;

    RpcReadinessGroup(BooleanSupplier serverListens) {
        this.serverListens = serverListens;
    }

    @Override
    public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
        HealthEndpointGroup readiness = groups.get(READINESS);
        if (readiness == null) {
            return groups;
        }
        Map<String, HealthEndpointGroup> all = new LinkedHashMap<>();
        for (String name : groups.getNames()) {
            all.put(name, name.equals(READINESS) ? new WithRpc(readiness, serverListens) : groups.get(name));
        }
        return HealthEndpointGroups.of(groups.getPrimary(), all);
    }

    /** The readiness group, with {@code rpc} a member while this application's server listens. */
    private record WithRpc(HealthEndpointGroup delegate, BooleanSupplier serverListens) implements HealthEndpointGroup {

        @Override
        public boolean isMember(String name) {
            return delegate.isMember(name) || COMPONENT.equals(name) && serverListens.getAsBoolean();
        }

        @Override
        public boolean showComponents(SecurityContext securityContext) {
            return delegate.showComponents(securityContext);
        }

        @Override
        public boolean showDetails(SecurityContext securityContext) {
            return delegate.showDetails(securityContext);
        }

        @Override
        public StatusAggregator getStatusAggregator() {
            return delegate.getStatusAggregator();
        }

        @Override
        public HttpCodeStatusMapper getHttpCodeStatusMapper() {
            return delegate.getHttpCodeStatusMapper();
        }

        @Override
        public @Nullable AdditionalHealthEndpointPath getAdditionalPath() {
            return delegate.getAdditionalPath();
        }
    }
}
