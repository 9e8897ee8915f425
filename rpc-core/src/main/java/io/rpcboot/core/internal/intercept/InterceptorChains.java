package io.rpcboot.core.internal.intercept;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import io.rpcboot.core.intercept.ClientCall;
import io.rpcboot.core.intercept.ClientInterceptor;
import io.rpcboot.core.intercept.ServerCall;
import io.rpcboot.core.intercept.ServerInterceptor;
import org.jspecify.annotations.Nullable;

/**
 * Not API. Runs a call through a list of interceptors to a terminal step: each interceptor gets a
 * chain link that may proceed once. What an interceptor throws, or a null it returns, becomes the
 * call's failure, naming the interceptor; so does a second {@code proceed()}.
 */
public final class InterceptorChains {

    private InterceptorChains() {
    }

    /** Runs {@code call} through {@code interceptors}, then {@code terminal}. */
    public static CompletionStage<@Nullable Object> client(List<ClientInterceptor> interceptors, ClientCall call,
                                                           Supplier<CompletionStage<@Nullable Object>> terminal) {
        return new ClientLink(interceptors, 0, call, terminal, null).proceed();
    }

    /** Runs {@code call} through {@code interceptors}, then {@code terminal}. */
    public static CompletionStage<@Nullable Object> server(List<ServerInterceptor> interceptors, ServerCall call,
                                                           Supplier<CompletionStage<@Nullable Object>> terminal) {
        return new ServerLink(interceptors, 0, call, terminal, null).proceed();
    }

    private static CompletionStage<@Nullable Object> checked(@Nullable CompletionStage<@Nullable Object> stage,
                                                             Object interceptor, String method) {
        if (stage == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(interceptor.getClass().getName()
                    + " returned null from intercept() for " + method + "; return a stage (chain.proceed() or your own)"));
        }
        return stage;
    }

    private static IllegalStateException twice(@Nullable Object owner, String method) {
        return new IllegalStateException((owner == null ? "the call" : owner.getClass().getName())
                + " called proceed() more than once for " + method + "; a call goes on at most once");
    }

    private static final class ClientLink implements ClientInterceptor.Chain {
        private final List<ClientInterceptor> interceptors;
        private final int index;
        private final ClientCall call;
        private final Supplier<CompletionStage<@Nullable Object>> terminal;
        private final @Nullable ClientInterceptor owner;
        private boolean proceeded;

        ClientLink(List<ClientInterceptor> interceptors, int index, ClientCall call,
                   Supplier<CompletionStage<@Nullable Object>> terminal, @Nullable ClientInterceptor owner) {
            this.interceptors = interceptors;
            this.index = index;
            this.call = call;
            this.terminal = terminal;
            this.owner = owner;
        }

        @Override
        public ClientCall call() {
            return call;
        }

        @Override
        public CompletionStage<@Nullable Object> proceed() {
            if (proceeded) {
                throw twice(owner, call.method().toString());
            }
            proceeded = true;
            if (index == interceptors.size()) {
                return terminal.get();
            }
            ClientInterceptor next = interceptors.get(index);
            try {
                return checked(next.intercept(new ClientLink(interceptors, index + 1, call, terminal, next)), next,
                        call.method().toString());
            } catch (RuntimeException | LinkageError | AssertionError e) {
                return CompletableFuture.failedFuture(e);
            }
        }
    }

    private static final class ServerLink implements ServerInterceptor.Chain {
        private final List<ServerInterceptor> interceptors;
        private final int index;
        private final ServerCall call;
        private final Supplier<CompletionStage<@Nullable Object>> terminal;
        private final @Nullable ServerInterceptor owner;
        private boolean proceeded;

        ServerLink(List<ServerInterceptor> interceptors, int index, ServerCall call,
                   Supplier<CompletionStage<@Nullable Object>> terminal, @Nullable ServerInterceptor owner) {
            this.interceptors = interceptors;
            this.index = index;
            this.call = call;
            this.terminal = terminal;
            this.owner = owner;
        }

        @Override
        public ServerCall call() {
            return call;
        }

        @Override
        public CompletionStage<@Nullable Object> proceed() {
            if (proceeded) {
                throw twice(owner, call.method().toString());
            }
            proceeded = true;
            if (index == interceptors.size()) {
                return terminal.get();
            }
            ServerInterceptor next = interceptors.get(index);
            try {
                return checked(next.intercept(new ServerLink(interceptors, index + 1, call, terminal, next)), next,
                        call.method().toString());
            } catch (RuntimeException | LinkageError | AssertionError e) {
                return CompletableFuture.failedFuture(e);
            }
        }
    }
}
