package io.rpcboot.core.intercept;

import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * Runs around each call a client makes, outermost first, in the order the client was given them (a
 * Spring application orders its beans with {@code @Order}).
 *
 * <p>{@link #intercept} gets the call through its {@link Chain}, may change its arguments and
 * metadata, and calls {@link Chain#proceed()} at most once (a second call fails, naming the
 * interceptor); or it answers the call itself with a stage of its own (a cache, a fallback, a
 * refusal). The stage it returns is the call's outcome: a value, or the exception the caller gets.
 * An interceptor that throws fails the call with what it threw. It runs on the caller's thread;
 * the stage completes on whatever thread ends the call (a client event loop: do not block there).
 * An interceptor of a synchronous method may wait for the call on the caller's thread, with
 * {@code get} or {@code join} of the stage {@code proceed()} returned or of one derived from it:
 * the wait then keeps the call's deadline.
 *
 * <p>Retries happen below the interceptors: {@link #intercept} runs once per call, and
 * {@link #attemptEnded} once per try of an instance.
 */
@FunctionalInterface
public interface ClientInterceptor {

    CompletionStage<@Nullable Object> intercept(Chain chain);

    /**
     * One try of one instance ended (a response, a lost or refused connection, the deadline):
     * per-instance outcomes below the retry layer. Runs on the thread that ended the try (often an
     * event loop): keep it short, never block. The default does nothing.
     */
    default void attemptEnded(ClientAttempt attempt) {
    }

    /** The call, and the way on. */
    interface Chain {

        ClientCall call();

        /**
         * Lets the call go on to the next interceptor, or out to a provider after the last one.
         *
         * @throws IllegalStateException if called a second time, naming the interceptor that did
         */
        CompletionStage<@Nullable Object> proceed();
    }
}
