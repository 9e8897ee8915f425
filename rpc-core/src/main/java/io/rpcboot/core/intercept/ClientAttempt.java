package io.rpcboot.core.intercept;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.registry.ServiceInstance;
import org.jspecify.annotations.Nullable;

/**
 * One try of one instance, as {@link ClientInterceptor#attemptEnded} sees it.
 *
 * @param call     the call it belongs to
 * @param instance the instance tried
 * @param status   the status of its response; null when none came (no connection, a lost one, the deadline)
 * @param failure  why no response came; null when one did
 * @param nanos    from the start of the try to its end
 */
public record ClientAttempt(ClientCall call, ServiceInstance instance, @Nullable RpcStatus status,
                            @Nullable RpcException failure, long nanos) {
}
