package io.rpcboot.core.intercept;

import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * Runs around each call a server serves, outermost first, in the order the server was given them
 * (a Spring application orders its beans with {@code @Order}), on the thread that runs the provider
 * method, after the arguments were read and the deadline checked.
 *
 * <p>{@link #intercept} calls {@link Chain#proceed()} at most once (a second call fails, naming the
 * interceptor), which runs the next interceptor or the method itself, on this thread; or it answers
 * itself. The stage it returns is the call's outcome, for synchronous methods (a completed stage)
 * and methods returning a {@code CompletionStage} alike: a value is the answer, an exception is
 * answered as the method's error. An interceptor that throws fails the call the same way.
 */
@FunctionalInterface
public interface ServerInterceptor {

    CompletionStage<@Nullable Object> intercept(Chain chain);

    /** The call, and the way on. */
    interface Chain {

        ServerCall call();

        /**
         * Runs the next interceptor, or the method after the last one, on this thread.
         *
         * @throws IllegalStateException if called a second time, naming the interceptor that did
         */
        CompletionStage<@Nullable Object> proceed();
    }
}
