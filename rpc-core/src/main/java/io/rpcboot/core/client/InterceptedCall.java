package io.rpcboot.core.client;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.rpcboot.core.RpcException;
import io.rpcboot.core.RpcMethod;
import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.intercept.ClientAttempt;
import io.rpcboot.core.intercept.ClientCall;
import io.rpcboot.core.internal.intercept.InterceptorChains;
import io.rpcboot.core.internal.context.Metadata;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import org.jspecify.annotations.Nullable;

/**
 * A call on its way through the client's interceptors: what they see ({@link ClientCall}), and the
 * step after the last of them, which starts the {@link Invocation} with the arguments and metadata
 * they left. The deadline and metadata were taken from the caller's thread when the call was made,
 * so an interceptor may proceed on any thread.
 */
final class InterceptedCall implements ClientCall {

    /** How long a synchronous caller waits past the deadline for an interceptor's own stage before giving up. */
    private static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final ClientRuntime runtime;
    private final Reference<?> reference;
    private final ClientMethod method;
    private final Object[] arguments;
    private final CallContext context;
    private final long deadlineMillis;
    private volatile @Nullable Map<String, Object> attributes;
    /** The thread of a synchronous caller; null for an asynchronous call. */
    private final @Nullable Thread syncCaller;
    /** True while the interceptors run on the synchronous caller's thread, before it waits. */
    private boolean inChain;
    /**
     * Set when the call went out from the synchronous caller's own thread: the caller waits for it
     * as a call without interceptors does ({@link ParkedCaller}: the result decoded on its thread),
     * then completes {@link #parkedStage} there, so the interceptors' callbacks run on the caller's
     * thread too, not on the client's event loop.
     */
    private @Nullable ParkedCaller parked;
    private @Nullable Invocation parkedCall;
    private @Nullable CompletableFuture<@Nullable Object> parkedStage;

    InterceptedCall(ClientRuntime runtime, Reference<?> reference, ClientMethod method, Object[] arguments) {
        this.runtime = runtime;
        this.reference = reference;
        this.method = method;
        this.arguments = arguments;
        this.syncCaller = method.async ? null : Thread.currentThread();
        long now = runtime.clock.nanoTime();
        this.context = CallContext.here(runtime, reference, method, now, true);
        this.deadlineMillis = runtime.clock.currentTimeMillis()
                + TimeUnit.NANOSECONDS.toMillis(context.deadlineNanos - now);
    }

    /**
     * Runs the call through the interceptors: a synchronous caller waits here for the outcome (and
     * gets the exception as itself), an asynchronous one gets the future.
     */
    static Object invoke(ClientRuntime runtime, Reference<?> reference, ClientMethod method, Object[] arguments)
            throws Throwable {
        InterceptedCall call = new InterceptedCall(runtime, reference, method, arguments);
        if (method.async) {
            CompletableFuture<@Nullable Object> chain = InterceptorChains.client(runtime.interceptors, call, call::send)
                    .toCompletableFuture();
            CompletableFuture<@Nullable Object> delivered = new CompletableFuture<>();
            chain.whenComplete((value, failure) -> {
                if (failure == null) {
                    delivered.complete(value);
                } else {
                    Throwable t = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    delivered.completeExceptionally(CallFrames.delivered(t, method));
                }
            });
            return delivered;
        }
        call.inChain = true;
        CompletionStage<@Nullable Object> stage;
        try {
            stage = InterceptorChains.client(runtime.interceptors, call, call::send);
        } finally {
            call.inChain = false;
            call.awaitParked(); // whatever the chain did, a call that went out is waited for
        }
        CompletableFuture<@Nullable Object> future = stage.toCompletableFuture();
        long waitNanos = call.context.deadlineNanos - runtime.clock.nanoTime() + GRACE_NANOS;
        try {
            return future.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | CompletionException e) {
            throw unwrap(e.getCause() != null ? e.getCause() : e, method);
        } catch (CancellationException e) {
            throw new RpcException(method.describe() + " was cancelled by an interceptor", e);
        } catch (TimeoutException e) {
            throw new RpcTimeoutException("call to " + method.describe() + " timed out: an interceptor's answer did not"
                    + " come by the deadline");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException("interrupted while waiting for " + method.describe());
        }
    }

    /** What a synchronous caller gets: unchecked exceptions and declared checked ones as themselves. */
    private static Throwable unwrap(Throwable failure, ClientMethod method) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        t = CallFrames.delivered(t, method);
        if (t instanceof RuntimeException || t instanceof Error || method.rpcMethod.declares(t)) {
            return t;
        }
        return new RpcException(method.describe() + " failed: " + t, t);
    }

    /** The instance of the try under way, for the interceptors' per-attempt hook; set by the thread that starts a try. */
    private @Nullable ServiceInstance attemptInstance;
    private long attemptStartNanos;
    /** Whether the try under way was reported: a response, a lost connection and the deadline may race to report it. */
    private final java.util.concurrent.atomic.AtomicBoolean attemptReported = new java.util.concurrent.atomic.AtomicBoolean();

    /** A try of {@code instance} starts. Kept here, not in {@link Invocation}: a call without interceptors pays nothing for it. */
    void attemptStarted(ServiceInstance instance, long nowNanos) {
        attemptInstance = instance;
        attemptStartNanos = nowNanos;
        attemptReported.set(false);
    }

    /** The try under way ended: what the hook is told, or null if it was told already (or no try started). */
    @Nullable ClientAttempt attemptEnded(@Nullable RpcStatus status, @Nullable RpcException failure, long nowNanos) {
        ServiceInstance instance = attemptInstance;
        if (instance == null || !attemptReported.compareAndSet(false, true)) {
            return null;
        }
        return new ClientAttempt(this, instance, status, failure, nowNanos - attemptStartNanos);
    }

    /**
     * If the call went out from this (the caller's) thread and its outcome has not been taken care
     * of yet: waits for it here and completes its stage here.
     */
    private void awaitParked() {
        ParkedCaller caller = parked;
        if (caller == null || !caller.claimForCaller()) {
            return; // nothing went out from here, or the outcome came first and completed the stage
        }
        try {
            parkedStage.complete(caller.await(parkedCall));
        } catch (Throwable t) {
            parkedStage.completeExceptionally(t);
        }
    }

    /**
     * The stage of a call that went out from the synchronous caller's thread. An interceptor that
     * waits for it there ({@code get}, {@code join}, also on a stage derived from it) makes the
     * caller's thread wait for the call, as it would after the interceptors: with the call's deadline,
     * decoding the answer on that thread. Elsewhere it is a plain future.
     */
    private static final class CallerDrivenStage<T> extends CompletableFuture<T> {
        private final InterceptedCall call;

        CallerDrivenStage(InterceptedCall call) {
            this.call = call;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CallerDrivenStage<>(call);
        }

        private void drive() {
            if (!isDone() && Thread.currentThread() == call.syncCaller) {
                call.awaitParked();
            }
        }

        @Override
        public T get() throws InterruptedException, ExecutionException {
            drive();
            return super.get();
        }

        @Override
        public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            drive();
            return super.get(timeout, unit);
        }

        @Override
        public T join() {
            drive();
            return super.join();
        }
    }

    /**
     * The outcome was handed over while the caller was still in the interceptors (one may be waiting
     * for this very stage): complete it here, on the handing-over thread.
     */
    private void completeUnclaimed(ParkedCaller caller) {
        try {
            parkedStage.complete(caller.result(parkedCall));
        } catch (Throwable t) {
            parkedStage.completeExceptionally(t);
        }
    }

    /** After the last interceptor: the call goes out. */
    private CompletionStage<@Nullable Object> send() {
        try {
            Metadata.check(context.metadata);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new RpcException("cannot send " + method.describe() + ": "
                    + e.getMessage(), e));
        }
        if (inChain && Thread.currentThread() == syncCaller) {
            ParkedCaller caller = new ParkedCaller(this::completeUnclaimed);
            Invocation call = new Invocation(runtime, reference, method, arguments, caller, context, this);
            parkedStage = new CallerDrivenStage<>(this);
            parkedCall = call;
            parked = caller;
            call.start();
            return parkedStage;
        }
        FutureCompletion future = new FutureCompletion(null);
        new Invocation(runtime, reference, method, arguments, future, context, this).start();
        return future;
    }

    @Override
    public ServiceKey service() {
        return reference.key;
    }

    @Override
    public RpcMethod method() {
        return method.rpcMethod;
    }

    @Override
    public Object[] arguments() {
        return arguments;
    }

    @Override
    public Map<String, String> metadata() {
        return context.metadata;
    }

    @Override
    public long deadlineMillis() {
        return deadlineMillis;
    }

    @Override
    public Map<String, Object> attributes() {
        Map<String, Object> a = attributes;
        if (a == null) {
            synchronized (this) {
                a = attributes;
                if (a == null) {
                    attributes = a = new java.util.concurrent.ConcurrentHashMap<>();
                }
            }
        }
        return a;
    }

    @Override
    public String toString() {
        return "ClientCall[" + method.describe() + "]";
    }
}
