package io.rpcboot.autoconfigure.actuate;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/** The rpc component is a readiness member exactly while this application's server listens. */
class RpcReadinessGroupTests {

    @Test
    void rpcJoinsReadinessOnlyWhileTheServerListens() {
        HealthEndpointGroup primary = mock(HealthEndpointGroup.class);
        HealthEndpointGroup readiness = mock(HealthEndpointGroup.class);
        HealthEndpointGroup liveness = mock(HealthEndpointGroup.class);
        given(readiness.isMember("readinessState")).willReturn(true);
        AtomicBoolean listens = new AtomicBoolean(false);
        HealthEndpointGroups groups = new RpcReadinessGroup(listens::get).postProcessHealthEndpointGroups(
                HealthEndpointGroups.of(primary, Map.of("readiness", readiness, "liveness", liveness)));

        assertThat(groups.get("readiness").isMember("readinessState")).isTrue();
        assertThat(groups.get("readiness").isMember("rpc")).as("consumer only: not a member").isFalse();
        listens.set(true);
        assertThat(groups.get("readiness").isMember("rpc")).as("a listening provider: a member").isTrue();
        assertThat(groups.get("liveness")).isSameAs(liveness);
        assertThat(groups.get("liveness").isMember("rpc")).isFalse();
    }

    @Test
    void withoutAReadinessGroupNothingChanges() {
        HealthEndpointGroups groups = HealthEndpointGroups.of(mock(HealthEndpointGroup.class), Map.of());
        assertThat(new RpcReadinessGroup(() -> true).postProcessHealthEndpointGroups(groups)).isSameAs(groups);
    }
}
