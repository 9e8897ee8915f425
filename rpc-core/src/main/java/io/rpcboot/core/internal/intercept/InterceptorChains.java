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

    /**
     * One link of a chain: the interceptor at {@code index} gets the next link; after the last one the
     * terminal step runs. What the two sides share; each side's link adds its {@code Chain} interface.
     */
    private abstract static class Link<C, I> {
        private final List<I> interceptors;
        private final int index;
        final C call;
        private final Supplier<CompletionStage<@Nullable Object>> terminal;
        private final @Nullable I owner;
        private boolean proceeded;

        Link(List<I> interceptors, int index, C call, Supplier<CompletionStage<@Nullable Object>> terminal,
             @Nullable I owner) {
            this.interceptors = interceptors;
            this.index = index;
            this.call = call;
            this.terminal = terminal;
            this.owner = owner;
        }

        /** {@code interceptor} run with the link after this one. */
        abstract @Nullable CompletionStage<@Nullable Object> intercept(I interceptor, List<I> interceptors, int nextIndex,
                                                                      Supplier<CompletionStage<@Nullable Object>> terminal);

        abstract String method();

        public CompletionStage<@Nullable Object> proceed() {
            if (proceeded) {
                throw twice(owner, method());
            }
            proceeded = true;
            if (index == interceptors.size()) {
                return terminal.get();
            }
            I next = interceptors.get(index);
            try {
                return checked(intercept(next, interceptors, index + 1, terminal), next, method());
            } catch (Throwable e) { // whatever an interceptor throws (an Error, a sneaky checked one) is the call's failure
                return CompletableFuture.failedFuture(e);
            }
        }
    }

    private static final class ClientLink extends Link<ClientCall, ClientInterceptor> implements ClientInterceptor.Chain {
        ClientLink(List<ClientInterceptor> interceptors, int index, ClientCall call,
                   Supplier<CompletionStage<@Nullable Object>> terminal, @Nullable ClientInterceptor owner) {
            super(interceptors, index, call, terminal, owner);
        }

        @Override
        public ClientCall call() {
            return call;
        }

        @Override
        @Nullable CompletionStage<@Nullable Object> intercept(ClientInterceptor interceptor, List<ClientInterceptor> all,
                                                             int nextIndex, Supplier<CompletionStage<@Nullable Object>> terminal) {
            return interceptor.intercept(new ClientLink(all, nextIndex, call, terminal, interceptor));
        }

        @Override
        String method() {
            return call.method().toString();
        }
    }

    private static final class ServerLink extends Link<ServerCall, ServerInterceptor> implements ServerInterceptor.Chain {
        ServerLink(List<ServerInterceptor> interceptors, int index, ServerCall call,
                   Supplier<CompletionStage<@Nullable Object>> terminal, @Nullable ServerInterceptor owner) {
            super(interceptors, index, call, terminal, owner);
        }

        @Override
        public ServerCall call() {
            return call;
        }

        @Override
        @Nullable CompletionStage<@Nullable Object> intercept(ServerInterceptor interceptor, List<ServerInterceptor> all,
                                                             int nextIndex, Supplier<CompletionStage<@Nullable Object>> terminal) {
            return interceptor.intercept(new ServerLink(all, nextIndex, call, terminal, interceptor));
        }

        @Override
        String method() {
            return call.method().toString();
        }
    }
}
