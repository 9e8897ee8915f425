package io.rpcboot.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code rpc.server.auth} configures tokens or certificate authentication. */
class OnServerAuthentication extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        boolean configured = Binder.get(context.getEnvironment()).bind("rpc.server.auth", RpcServerAuthProperties.class)
                .map(RpcServerAuthProperties::isConfigured).orElse(false);
        return configured ? ConditionOutcome.match("rpc.server.auth configures an authenticator")
                : ConditionOutcome.noMatch("rpc.server.auth configures no token and no certificate authentication");
    }
}
