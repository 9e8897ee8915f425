package io.rpcboot.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code rpc.registry.type} binds to {@link RpcProperties.RegistryType#ZOOKEEPER}, the
 * way {@link RpcProperties} itself binds it (so {@code zookeeper}, {@code ZooKeeper} and
 * {@code zoo-keeper} all match, as they all mean the same registry to the properties). A value that
 * does not bind does not match here; binding {@link RpcProperties} then reports it, naming the property.
 */
class OnZooKeeperRegistryType extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        ConditionMessage.Builder message = ConditionMessage.forCondition("rpc.registry.type");
        RpcProperties.RegistryType type;
        try {
            type = Binder.get(context.getEnvironment()).bind("rpc.registry.type", RpcProperties.RegistryType.class)
                    .orElse(RpcProperties.RegistryType.MEMORY);
        } catch (BindException e) {
            return ConditionOutcome.noMatch(message.because("its value is not a registry type"));
        }
        return type == RpcProperties.RegistryType.ZOOKEEPER ? ConditionOutcome.match(message.because("it is zookeeper"))
                : ConditionOutcome.noMatch(message.because("it is " + type.name().toLowerCase()));
    }
}
