package io.rpcboot.core.observation;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.rpcboot.core.intercept.ServerCall;
import io.rpcboot.core.intercept.ServerInterceptor;
import org.jspecify.annotations.Nullable;

/**
 * Makes each served call an observation ({@code rpc.server}) whose parent is read from the call's
 * metadata (the client's trace context), current on this thread while the later interceptors and
 * the provider method run, so that their log lines carry the trace. Put it first.
 */
public final class ObservationServerInterceptor implements ServerInterceptor {

    private static final RpcObservationConventions.Server DEFAULT = new RpcObservationConventions.DefaultServer();

    private final ObservationRegistry registry;
    private final RpcObservationConventions.@Nullable Server convention;

    /** @param convention replaces the default names and tags; null keeps them */
    public ObservationServerInterceptor(ObservationRegistry registry, RpcObservationConventions.@Nullable Server convention) {
        this.registry = registry;
        this.convention = convention;
    }

    @Override
    public CompletionStage<@Nullable Object> intercept(Chain chain) {
        if (registry.isNoop()) {
            return chain.proceed();
        }
        ServerCall call = chain.call();
        RpcServerObservationContext context = new RpcServerObservationContext(call);
        Observation observation = Observation.createNotStarted(convention, DEFAULT, () -> context, registry).start();
        CompletionStage<@Nullable Object> stage;
        try (Observation.Scope scope = observation.openScope()) {
            stage = chain.proceed();
        } catch (Throwable e) {
            observation.error(e);
            observation.stop();
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<@Nullable Object> outcome = new CompletableFuture<>();
        stage.whenComplete((value, error) -> {
            try {
                if (error != null) {
                    observation.error(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
                } else {
                    context.setResponse(value);
                }
                observation.stop();
            } catch (RuntimeException handlerFailed) {
                // a handler's failure is not the call's: the call is answered with its own outcome
            } finally {
                if (error != null) {
                    outcome.completeExceptionally(error);
                } else {
                    outcome.complete(value);
                }
            }
        });
        return outcome;
    }
}
