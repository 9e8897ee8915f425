/**
 * Interceptors: code that runs around every call, on the client ({@link ClientInterceptor}) and on
 * the server ({@link ServerInterceptor}), in the shape of OkHttp's chain. An interceptor sees the
 * call (service, method, arguments, metadata, deadline; on the server also the peer), calls
 * {@code chain.proceed()} exactly once to let it go on, or answers it itself, and sees the outcome
 * as the {@link java.util.concurrent.CompletionStage} it returns, for synchronous and asynchronous
 * methods alike. Tracing and metrics of observation ({@code io.rpcboot.core.observation}) are
 * interceptors too.
 */
@NullMarked
package io.rpcboot.core.intercept;

import org.jspecify.annotations.NullMarked;
