package io.rpcboot.core.observation;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.rpcboot.core.intercept.ClientAttempt;
import io.rpcboot.core.intercept.ClientCall;
import io.rpcboot.core.intercept.ClientInterceptor;
import org.jspecify.annotations.Nullable;

/**
 * Makes each client call an observation ({@code rpc.client}), started before the call's metadata is
 * sent so that a tracing handler can add its context to it. The caller's current observation is the
 * parent, and is current again when the call's stage completes (so an asynchronous caller's
 * callbacks log with its trace). Put it first: it then covers the other interceptors.
 */
public final class ObservationClientInterceptor implements ClientInterceptor {

    private static final String CONTEXT = ObservationClientInterceptor.class.getName();
    private static final RpcObservationConventions.Client DEFAULT = new RpcObservationConventions.DefaultClient();

    private final ObservationRegistry registry;
    private final RpcObservationConventions.@Nullable Client convention;

    /** @param convention replaces the default names and tags; null keeps them */
    public ObservationClientInterceptor(ObservationRegistry registry, RpcObservationConventions.@Nullable Client convention) {
        this.registry = registry;
        this.convention = convention;
    }

    @Override
    public CompletionStage<@Nullable Object> intercept(Chain chain) {
        if (registry.isNoop()) {
            return chain.proceed();
        }
        ClientCall call = chain.call();
        RpcClientObservationContext context = new RpcClientObservationContext(call);
        Observation observation = Observation.createNotStarted(convention, DEFAULT, () -> context, registry);
        Observation parent = registry.getCurrentObservation();
        observation.start();
        call.attributes().put(CONTEXT, context);
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
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            try {
                if (cause != null) {
                    observation.error(cause);
                } else {
                    context.setResponse(value);
                }
                observation.stop();
            } catch (RuntimeException handlerFailed) {
                // a handler's failure is not the call's: the caller gets the call's own outcome
            } finally { // and never waits for ever
                if (parent == null) {
                    complete(outcome, value, cause);
                } else {
                    try (Observation.Scope scope = parent.openScope()) {
                        complete(outcome, value, cause);
                    }
                }
            }
        });
        return outcome;
    }

    private static void complete(CompletableFuture<@Nullable Object> future, @Nullable Object value,
                                 @Nullable Throwable error) {
        if (error != null) {
            future.completeExceptionally(error);
        } else {
            future.complete(value);
        }
    }

    @Override
    public void attemptEnded(ClientAttempt attempt) {
        if (attempt.call().attributes().get(CONTEXT) instanceof RpcClientObservationContext context) {
            context.setInstance(attempt.instance());
        }
    }
}
