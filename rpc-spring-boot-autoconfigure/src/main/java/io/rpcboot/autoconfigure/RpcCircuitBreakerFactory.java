package io.rpcboot.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.rpcboot.core.client.RpcCircuitBreakers;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breakers of references: one per service key, and one per method that has breaker
 * settings of its own ({@code key#method}). They live in the application's
 * {@link CircuitBreakerRegistry} bean when it has one (a configuration the registry holds under
 * the breaker's name wins), else in a registry of rpc-boot's; either way with Resilience4j's
 * Micrometer meters ({@code resilience4j.circuitbreaker.*}), {@code rpc.client.circuit-breaker.transitions}
 * and a log line per state change.
 */
public class RpcCircuitBreakerFactory {

    private static final Logger log = LoggerFactory.getLogger(RpcCircuitBreakerFactory.class);

    private final RpcProperties.CircuitBreaker defaults;
    private final CircuitBreakerRegistry registry;
    private final @Nullable MeterRegistry meters;
    private final Map<String, CircuitBreaker> watched = new ConcurrentHashMap<>();

    public RpcCircuitBreakerFactory(RpcProperties properties, @Nullable CircuitBreakerRegistry appRegistry,
                                    @Nullable MeterRegistry meters) {
        this.defaults = properties.getClient().getCircuitBreaker();
        this.registry = appRegistry != null ? appRegistry : CircuitBreakerRegistry.ofDefaults();
        this.meters = meters;
        if (meters != null) {
            TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
        }
    }

    /** The registry the breakers live in. */
    public CircuitBreakerRegistry registry() {
        return registry;
    }

    /** The breakers made so far, by name. */
    public Map<String, CircuitBreaker> breakers() {
        return Map.copyOf(watched);
    }

    /**
     * The breaker of a service, or null when breakers are off for it.
     *
     * @param prefix the property prefix of the service's settings, for messages
     */
    public @Nullable CircuitBreaker service(String name, RpcProperties.@Nullable CircuitBreaker service, String prefix) {
        List<RpcProperties.CircuitBreaker> levels = serviceLevels(service);
        if (!enabled(levels)) {
            return null;
        }
        return breaker(name, levels, service != null && service.isSet() ? prefix : "rpc.client.circuit-breaker");
    }

    /**
     * A method's own breaker, or null when it shares the service's (no breaker settings of its own).
     * Whether it has a breaker at all follows {@code enabled}, the method's first, then the
     * service's, then the client's: a method that turns it off while its service has one gets a
     * breaker in Resilience4j's DISABLED state (it lets every call through and records nothing).
     */
    public @Nullable CircuitBreaker method(String name, RpcProperties.CircuitBreaker method,
                                           RpcProperties.@Nullable CircuitBreaker service, String prefix) {
        if (!method.isSet()) {
            return null;
        }
        List<RpcProperties.CircuitBreaker> serviceLevels = serviceLevels(service);
        List<RpcProperties.CircuitBreaker> levels = new java.util.ArrayList<>(serviceLevels);
        levels.add(0, method);
        if (enabled(levels)) {
            return breaker(name, levels, prefix);
        }
        if (!enabled(serviceLevels)) {
            return null;
        }
        CircuitBreaker off = breaker(name, levels, prefix);
        off.transitionToDisabledState();
        return off;
    }

    /** The levels a service's settings come from, most specific first. */
    private List<RpcProperties.CircuitBreaker> serviceLevels(RpcProperties.@Nullable CircuitBreaker service) {
        return service == null ? List.of(defaults) : List.of(service, defaults);
    }

    private static boolean enabled(List<RpcProperties.CircuitBreaker> levels) {
        return Boolean.TRUE.equals(first(levels, RpcProperties.CircuitBreaker::getEnabled));
    }

    private CircuitBreaker breaker(String name, List<RpcProperties.CircuitBreaker> levels, String prefix) {
        CircuitBreaker breaker = registry.circuitBreaker(name, registry.getConfiguration(name)
                .orElseGet(() -> config(levels, prefix)));
        if (watched.putIfAbsent(name, breaker) == null) {
            breaker.getEventPublisher().onStateTransition(event -> {
                CircuitBreaker.StateTransition t = event.getStateTransition();
                if (meters != null) {
                    Counter.builder("rpc.client.circuit-breaker.transitions")
                            .description("State changes of reference circuit breakers").tag("name", name)
                            .tag("from", t.getFromState().name()).tag("to", t.getToState().name()).register(meters)
                            .increment();
                }
                if (t.getToState() == CircuitBreaker.State.OPEN) {
                    log.warn("circuit breaker '{}' opened ({} -> OPEN): calls fail at once, or go to the fallback, for {} ms;"
                            + " failure rate {}%, slow-call rate {}%", name, t.getFromState(), waitMillis(breaker),
                            breaker.getMetrics().getFailureRate(), breaker.getMetrics().getSlowCallRate());
                } else {
                    log.info("circuit breaker '{}': {} -> {}", name, t.getFromState(), t.getToState());
                }
            });
        }
        return breaker;
    }

    private static long waitMillis(CircuitBreaker breaker) {
        return breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1);
    }

    private static CircuitBreakerConfig config(List<RpcProperties.CircuitBreaker> levels, String prefix) {
        java.time.Duration wait = first(levels, RpcProperties.CircuitBreaker::getWaitDurationInOpenState);
        CircuitBreakerConfig.Builder b = wait != null ? RpcCircuitBreakers.config(wait) : RpcCircuitBreakers.config();
        set(levels, RpcProperties.CircuitBreaker::getFailureRateThreshold, b::failureRateThreshold);
        set(levels, RpcProperties.CircuitBreaker::getSlidingWindowSize, b::slidingWindowSize);
        set(levels, RpcProperties.CircuitBreaker::getMinimumNumberOfCalls, b::minimumNumberOfCalls);
        set(levels, RpcProperties.CircuitBreaker::getPermittedNumberOfCallsInHalfOpenState,
                b::permittedNumberOfCallsInHalfOpenState);
        set(levels, RpcProperties.CircuitBreaker::getSlowCallDurationThreshold, b::slowCallDurationThreshold);
        set(levels, RpcProperties.CircuitBreaker::getSlowCallRateThreshold, b::slowCallRateThreshold);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw RpcConfigurations.invalid(prefix + ".circuit-breaker", "", e.getMessage());
        }
    }

    private static <V> void set(List<RpcProperties.CircuitBreaker> levels, Function<RpcProperties.CircuitBreaker, V> get,
                                Consumer<V> to) {
        V v = first(levels, get);
        if (v != null) {
            to.accept(v);
        }
    }

    private static <V> @Nullable V first(List<RpcProperties.CircuitBreaker> levels,
                                         Function<RpcProperties.CircuitBreaker, V> get) {
        for (RpcProperties.CircuitBreaker level : levels) {
            V v = get.apply(level);
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
