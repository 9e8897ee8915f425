package io.rpcboot.core.server;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.rpcboot.core.internal.metrics.Meters;
import io.rpcboot.core.RpcMethod;
import io.rpcboot.core.intercept.ServerCall;
import io.rpcboot.core.intercept.ServerInterceptor;
import io.rpcboot.core.internal.context.CallScope;
import io.rpcboot.core.internal.intercept.InterceptorChains;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.metrics.Outcome;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.internal.protocol.ErrorBody;
import io.rpcboot.core.internal.protocol.ExceptionCodec;
import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.protocol.FrameBuilder;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.protocol.FrameTooLargeException;
import io.rpcboot.core.internal.protocol.FrameType;
import io.rpcboot.core.internal.protocol.Headers;
import io.rpcboot.core.internal.protocol.InboundGuard;
import io.rpcboot.core.internal.protocol.LimitExceededException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcStatusException;
import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.serialize.DecodeBudgetException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Turns request frames into method calls and responses.
 *
 * <pre>
 *  I/O loop: dispatch ─► draining? ─► DRAINING        (not run)
 *                      ─► unknown service/method ─► NOT_FOUND
 *                      ─► deadline passed ─► DEADLINE_EXCEEDED
 *                      ─► DIRECT, or ADAPTIVE and on the loop now ─► call.run here
 *                      ─► executor.execute(call) ─► full? ─► OVERLOADED
 *  worker:   call.run ─► decode arguments ─► deadline still ahead? ─► invoke ─► OK | SERVICE_ERROR
 *                                                  (a nested call out of the inherited deadline) ─► DEADLINE_EXCEEDED_WHILE_RUNNING
 * </pre>
 *
 * Deadlines are read against the server's {@link CallClock}.
 *
 * In {@link ExecutionMode#DIRECT}, and under {@link ExecutionMode#ADAPTIVE} once a method has shown
 * that it never holds a thread for long ({@link AdaptiveExecution}), the call runs on the I/O loop
 * itself. Responses are written from whichever thread finishes the call. Calls in flight are counted for graceful draining.
 */
final class RequestDispatcher {

    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

    private final ServiceTable services;
    private final FrameCodec codec;
    private final Executor executor;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Waited on by {@link #awaitDrained} until no call is in flight; notified by the last call to finish. */
    private final Object lock = new Object();
    private final Counter overloaded;
    private final Counter drainingRejected;
    private final Counter deadlineRejected;
    private final Counter notFound;
    private final Counter rateLimited;
    private final Counter concurrencyLimited;
    private final Counter perConnectionRejected;
    private final InboundGuard.Reports limits;
    private final int maxCallsPerConnection;
    private final CallClock clock;
    private volatile boolean draining;
    /** Interceptors, outermost first; empty for the plain path. */
    private final List<ServerInterceptor> interceptors;
    private final Level errorLogLevel;

    /** Writes the exceptions methods declare (or the allow-list names) with their fields and causes. */
    private final ExceptionCodec exceptions;

    RequestDispatcher(ServiceTable services, FrameCodec codec, Executor executor, RpcMetrics metrics,
                      InboundGuard.Reports limits, int maxCallsPerConnection, CallClock clock,
                      List<ServerInterceptor> interceptors, Level errorLogLevel, ExceptionCodec exceptions) {
        this.exceptions = exceptions;
        this.services = services;
        this.interceptors = List.copyOf(interceptors);
        this.errorLogLevel = errorLogLevel;
        this.clock = clock;
        this.codec = codec;
        this.executor = executor;
        Meters meters = Meters.of(metrics);
        this.overloaded = meters.serverRejected("overloaded");
        this.drainingRejected = meters.serverRejected("draining");
        this.deadlineRejected = meters.serverRejected("deadline");
        this.notFound = meters.serverRejected("not_found");
        this.rateLimited = meters.serverRejected("rate_limited");
        this.concurrencyLimited = meters.serverRejected("concurrency_limited");
        this.limits = limits;
        this.perConnectionRejected = limits.limitExceeded("calls_per_connection");
        this.maxCallsPerConnection = maxCallsPerConnection;
    }

    /**
     * I/O loop. Takes ownership of {@code frame}. Total: whatever the frame holds, the request is
     * answered exactly once (or, when even that fails, its connection is closed), the frame is
     * released, and the in-flight counts return to where they were.
     */
    void dispatch(CallSource connection, Frame frame) {
        inFlight.incrementAndGet();
        if (!connection.admitCall()) {
            perConnectionRejected.increment();
            reject(connection, frame, RpcStatus.RESOURCE_EXHAUSTED, false, "the connection already has "
                    + maxCallsPerConnection + " calls in flight (rpc.server.limits.max-concurrent-calls-per-connection)");
            return;
        }
        Call call;
        try {
            call = admit(connection, frame);
        } catch (Throwable t) { // a bug, or memory running out: the request still gets its answer
            log.warn("could not admit a request on {}", connection, t);
            reject(connection, frame, RpcStatus.INTERNAL, true, "the server could not accept the call: " + t);
            return;
        }
        if (call == null) {
            return; // refused and answered
        }
        ProvidedMethod method = call.method;
        AdaptiveExecution adaptive = method.adaptive;
        if (adaptive != null) {
            if (adaptive.onLoop(frame.bodyLength(), frame.wasCompressed())) {
                call.runJudged(adaptive, true);
                return;
            }
        } else if (method.execution == ExecutionMode.DIRECT) {
            call.runNow();
            return;
        }
        try {
            executor.execute(call);
        } catch (Throwable e) { // RejectedExecutionException: full; anything else: no thread could take it
            overloaded.increment();
            call.rejected();
        }
    }

    /** The checks before a call may run; null when the request was refused (and answered). */
    private @Nullable Call admit(CallSource connection, Frame frame) {
        if (draining) {
            drainingRejected.increment();
            reject(connection, frame, RpcStatus.DRAINING, true, "the server is shutting down; send the call elsewhere");
            return null;
        }
        if (frame.isOversize()) {
            connection.limitExceeded("frame_size");
            reject(connection, frame, RpcStatus.RESOURCE_EXHAUSTED, true, "the request is " + frame.oversizeBytes()
                    + " bytes, above the server's frame limit of " + codec.maxFrameSize()
                    + " bytes (rpc.server.max-frame-size); its body was skipped");
            return null;
        }
        String service = frame.header(Headers.SERVICE);
        String signature = frame.header(Headers.METHOD);
        if (service == null || signature == null || service.isBlank() || signature.isBlank()) {
            reject(connection, frame, RpcStatus.BAD_REQUEST, true, "the request has no service or method header");
            return null;
        }
        String version = frame.header(Headers.VERSION);
        String group = frame.header(Headers.GROUP);
        ProvidedMethod method = connection.lastMethod(service, version, group, signature);
        if (method == null) {
            ServiceKey key = new ServiceKey(service, orEmpty(version), orEmpty(group));
            ServiceTable.Provided provided = services.get(key);
            method = provided == null ? null : provided.methods().get(signature);
            if (method == null) {
                notFound.increment();
                reject(connection, frame, RpcStatus.NOT_FOUND, true, provided == null ? "no service " + key + " here"
                        : "service " + key + " has no method " + signature);
                return null;
            }
            connection.rememberMethod(service, version, group, signature, method); // services are never removed
        }
        long deadline = frame.deadlineMillis();
        if (deadline == Frame.BAD_DEADLINE) {
            reject(connection, frame, RpcStatus.BAD_REQUEST, true, "deadline header is not a number");
            return null;
        }
        if (deadline != 0 && clock.currentTimeMillis() >= deadline) {
            deadlineRejected.increment();
            reject(connection, frame, RpcStatus.DEADLINE_EXCEEDED, true, "the deadline passed before the call could start");
            return null;
        }
        if (!method.supports(frame.serializationId())) {
            reject(connection, frame, RpcStatus.BAD_REQUEST, true, "serialization id " + frame.serializationId()
                    + " is not available on this server");
            return null;
        }
        String limited = method.admit(clock.nanoTime());
        if (limited != null) { // did not run: the client sends it elsewhere, within its retry budget
            rateLimited.increment();
            reject(connection, frame, RpcStatus.OVERLOADED, true, limited);
            return null;
        }
        ConcurrencyLimit.Limiter concurrency = method.concurrency;
        if (concurrency != null && !concurrency.tryAcquire()) {
            concurrencyLimited.increment();
            reject(connection, frame, RpcStatus.OVERLOADED, true, "the concurrency limit of " + method.describe()
                    + " on this server (" + concurrency.limit() + " calls at once, adapted to its run time) is reached");
            return null;
        }
        return new Call(connection, frame, method, deadline, concurrency);
    }

    /** Answers a request that will not run. {@code admitted}: whether it holds a slot of its connection. */
    private void reject(CallSource connection, Frame frame, RpcStatus status, boolean admitted, String message) {
        long id = frame.requestId();
        boolean oneWay = frame.type() == FrameType.ONE_WAY;
        frame.release();
        if (!oneWay) {
            sendError(connection, id, status, status.name(), message);
        }
        if (admitted) {
            connection.callEnded();
        }
        finished();
    }

    /**
     * Total: the error response is built from text truncated to a budget, so it always fits a frame;
     * if even that fails, the connection is closed (the client then fails its calls at once).
     */
    private void sendError(CallSource connection, long requestId, RpcStatus status, String type, String message) {
        sendError(connection, requestId, status, type, message, null);
    }

    private void sendError(CallSource connection, long requestId, RpcStatus status, String type, String message,
                           byte @Nullable [] details) {
        FrameBuilder b = null;
        try {
            b = connection.responseCodec(codec).start(FrameType.RESPONSE, requestId, 0, status);
            ErrorBody.bounded(type, message).writeTo(b.body());
            if (details != null && details.length + ErrorBody.MAX_BYTES <= codec.maxFrameSize()) {
                b.body().writeRaw(details, 0, details.length);
            }
            connection.send(b.finish());
        } catch (Throwable t) {
            if (b != null) {
                b.discard();
            }
            log.warn("could not answer request {} on {} with {}; closing the connection", requestId, connection,
                    status, t);
            connection.close("could not send an error response: " + t);
        }
    }

    private void finished() {
        if (inFlight.decrementAndGet() == 0 && draining) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    /** Counts a limit a client went past whose request is answered (the connection stays open). */
    void limitExceeded(String reason) {
        limits.limitExceeded(reason).increment();
    }

    /** From now on every request is answered DRAINING. */
    void startDraining() {
        draining = true;
    }

    /** Waits until no call is in flight; true if that happened within {@code timeoutMillis}. */
    boolean awaitDrained(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (lock) {
            while (inFlight.get() > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                lock.wait(left);
            }
        }
        return true;
    }

    boolean isDraining() {
        return draining;
    }

    int inFlight() {
        return inFlight.get();
    }

    private static String orEmpty(@Nullable String s) {
        return s == null ? "" : s;
    }

    /** One request on its way through a worker (or the loop, in direct mode). */
    private static final VarHandle TAKEN;
    private static final VarHandle ENDED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAKEN = lookup.findVarHandle(Call.class, "taken", int.class);
            ENDED = lookup.findVarHandle(Call.class, "ended", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final class Call implements Runnable, ServerCall {
        /** The concurrency limit this call holds a place of, released when it ends; null when none. */
        private final ConcurrencyLimit.@Nullable Limiter concurrency;
        private final CallSource connection;
        final ProvidedMethod method;
        private final long deadline;
        private final long requestId;
        private final int serializationId;
        private final boolean oneWay;
        private final long startNanos = System.nanoTime();
        private final Frame frame;
        private Object @Nullable [] args;
        private Map<String, String> metadata = Map.of();
        private volatile @Nullable Map<String, Object> attributes;
        /** Whether the provider method was called: a refusal before it is "not run", one after it ran. */
        private boolean methodEntered; // published to later stages by the futures that run them
        /** 0, then 1 once run() or rejected() took the call: only one of them may serve it. */
        private volatile int taken;
        /** 0, then 1 once the call's outcome is decided: it is answered and counted exactly once. */
        private volatile int ended;

        Call(CallSource connection, Frame frame, ProvidedMethod method, long deadline,
             ConcurrencyLimit.@Nullable Limiter concurrency) {
            this.concurrency = concurrency;
            this.connection = connection;
            this.frame = frame;
            this.method = method;
            this.deadline = deadline;
            this.requestId = frame.requestId();
            this.serializationId = frame.serializationId();
            this.oneWay = frame.type() == FrameType.ONE_WAY;
        }

        /**
         * Total: whatever a codec, an interceptor or the provider throws (an {@code Error} included),
         * the call ends with exactly one answer and one count. Runs on the calling thread: the I/O
         * loop (direct, or adaptive on the loop) or a worker (through {@link #run}).
         */
        void runNow() {
            if (!TAKEN.compareAndSet(this, 0, 1)) {
                return; // rejected() answered it already (an executor that queued it, then threw)
            }
            try {
                serve();
            } catch (Throwable t) {
                log.warn("serving {} failed outside the method", method.describe(), t);
                fail(RpcStatus.INTERNAL, RpcStatus.INTERNAL.name(), "the server failed while serving the call: " + t,
                        Meters.exceptionTag(t));
            }
        }

        /** On a worker: runs the call, and tells an adaptive method how long it held the thread. */
        @Override
        public void run() {
            AdaptiveExecution adaptive = method.adaptive;
            if (adaptive == null || adaptive.onLoop()) {
                runNow(); // on the loop already: a large body, or a call queued before the move
                return;
            }
            runJudged(adaptive, false);
        }

        /** Runs the call here and tells {@code adaptive} whether the run was slow, on the loop or the pool. */
        void runJudged(AdaptiveExecution adaptive, boolean onLoop) {
            RunClock clock = RunClock.current();
            clock.start();
            if (onLoop) {
                long since = clock.startedAt();
                adaptive.enteredLoop(since);
                try {
                    runNow();
                } finally {
                    adaptive.leftLoop(since);
                }
            } else {
                runNow();
            }
            boolean slow = clock.slow();
            if (!methodEntered) {
                return; // a call refused or expired before the method says nothing of it
            }
            if (onLoop) {
                adaptive.ranOnLoop(slow, clock.heldNanos(), clock.started(), clock.ended());
            } else {
                adaptive.ranOnPool(slow, clock.ended());
            }
        }

        private void serve() {
            Frame f = frame;
            if (!connection.isOpen()) { // the client went away while the call waited: nobody to answer
                f.release();
                done(Outcome.FAILURE, RpcStatus.INTERNAL.name(), "ClosedChannelException");
                return;
            }
            try {
                metadata = f.metadata();
                args = method.readArguments(serializationId, f.bodyReader());
            } catch (Throwable e) {
                // a SerializationException (a budget among them: counted), or a bug in a codec (an Error included)
                if (e instanceof LimitExceededException limit) { // a compressed body over its budget
                    connection.limitExceeded(limit.reason());
                } else if (e instanceof DecodeBudgetException) { // more objects than the bytes received allow
                    connection.limitExceeded("decode_budget");
                }
                fail(RpcStatus.BAD_REQUEST, RpcStatus.BAD_REQUEST.name(), "cannot read the arguments of " + method.describe()
                        + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()), Meters.exceptionTag(e));
                return;
            } finally {
                f.release();
            }
            if (deadline != 0 && clock.currentTimeMillis() >= deadline) {
                deadlineRejected.increment();
                fail(RpcStatus.DEADLINE_EXCEEDED, RpcStatus.DEADLINE_EXCEEDED.name(), "the deadline passed while the call waited",
                        Meters.NONE);
                return;
            }
            // the provider method (and the interceptors) see the call's deadline and metadata on this thread
            CallScope scope = CallScope.current();
            long previousDeadline = scope.deadlineMillis;
            boolean hadDeadline = scope.hasDeadline;
            Map<String, String> previousMetadata = scope.incoming;
            scope.deadlineMillis = deadline;
            scope.hasDeadline = deadline != 0;
            scope.incoming = metadata;
            try {
                if (interceptors.isEmpty()) {
                    Object result;
                    methodEntered = true;
                    try {
                        result = method.invoke(args);
                    } catch (Throwable t) {
                        serviceFailed(t);
                        return;
                    }
                    if (method.async && result != null) {
                        ((CompletionStage<?>) result).whenComplete(this::completed);
                    } else {
                        succeed(result);
                    }
                } else {
                    InterceptorChains.server(interceptors, this, this::invokeAsStage).whenComplete(this::completed);
                }
            } finally {
                scope.deadlineMillis = previousDeadline;
                scope.hasDeadline = hadDeadline;
                scope.incoming = previousMetadata;
            }
        }

        /** After the last interceptor: the method itself, its outcome as a stage. */
        private CompletionStage<@Nullable Object> invokeAsStage() {
            methodEntered = true;
            try {
                Object result = method.invoke(args);
                if (method.async) {
                    @SuppressWarnings("unchecked")
                    CompletionStage<@Nullable Object> stage = (CompletionStage<@Nullable Object>) result;
                    return stage != null ? stage : CompletableFuture.completedFuture(null);
                }
                return CompletableFuture.completedFuture(result);
            } catch (Throwable t) {
                return CompletableFuture.failedFuture(t);
            }
        }

        private void completed(@Nullable Object value, @Nullable Throwable error) {
            if (error != null) {
                serviceFailed(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            } else {
                succeed(value);
            }
        }

        /** The executor was full: answer without running. */
        void rejected() {
            if (!TAKEN.compareAndSet(this, 0, 1)) {
                return; // a worker took it after all
            }
            frame.release();
            fail(RpcStatus.OVERLOADED, RpcStatus.OVERLOADED.name(), "the server's worker pool is full", Meters.NONE);
        }

        private void succeed(@Nullable Object value) {
            if (!ENDED.compareAndSet(this, 0, 1)) {
                return;
            }
            // an answer after the caller's deadline goes to nobody: count it apart
            Outcome outcome = deadline != 0 && clock.currentTimeMillis() > deadline ? Outcome.LATE : Outcome.SUCCESS;
            if (oneWay) {
                done(outcome, RpcStatus.OK.name(), Meters.NONE);
                return;
            }
            FrameBuilder b = connection.responseCodec(codec).start(FrameType.RESPONSE, requestId, serializationId, RpcStatus.OK);
            PooledBuffer response;
            try {
                if (!method.returnsVoid) {
                    method.resultCodec(serializationId).write(b.body(), value);
                }
                response = b.finish();
            } catch (FrameTooLargeException e) {
                b.discard(); // the connection is fine: only this result does not fit
                log.warn("the result of {} is {} bytes, above this server's frame limit ({} bytes)", method.describe(),
                        e.frameSize(), e.limit());
                sendError(connection, requestId, RpcStatus.RESOURCE_EXHAUSTED, RpcStatus.RESOURCE_EXHAUSTED.name(),
                        "the result of " + method.describe() + " is " + e.frameSize() + " bytes, above the provider's"
                        + " frame limit of " + e.limit() + " bytes; raise rpc.server.max-frame-size on the provider (and"
                        + " rpc.client.max-frame-size on the consumer) or return less");
                done(Outcome.of(RpcStatus.RESOURCE_EXHAUSTED), RpcStatus.RESOURCE_EXHAUSTED.name(), Meters.exceptionTag(e));
                return;
            } catch (Throwable e) {
                // SerializationException, or a bug in a codec
                b.discard();
                log.warn("cannot send the result of {}: {}", method.describe(), e.toString());
                sendError(connection, requestId, RpcStatus.INTERNAL, RpcStatus.INTERNAL.name(), "cannot send the result of "
                        + method.describe() + ": " + e.getMessage());
                done(Outcome.of(RpcStatus.INTERNAL), RpcStatus.INTERNAL.name(), Meters.exceptionTag(e));
                return;
            }
            connection.send(response);
            done(outcome, RpcStatus.OK.name(), Meters.NONE);
        }

        private void serviceFailed(Throwable t) {
            Throwable cause = t; // a provider that joined a future of the nested call gets it wrapped
            while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof RpcStatusException refused && !methodEntered) {
                // an interceptor answered before the method ran
                log.debug("{} refused before it ran: {} {}", method.describe(), refused.status(), refused.getMessage());
                fail(refused.status(), refused.status().name(), String.valueOf(refused.getMessage()),
                        Meters.exceptionTag(refused));
                return;
            }
            if (cause instanceof RpcTimeoutException timeout && timeout.isInheritedDeadline()) {
                // a call made while serving this one ran out of this call's deadline: so did this call
                log.debug("{} ran out of its deadline", method.describe(), t);
                fail(RpcStatus.DEADLINE_EXCEEDED_WHILE_RUNNING, RpcStatus.DEADLINE_EXCEEDED_WHILE_RUNNING.name(),
                        "the deadline passed while " + method.describe() + " ran: " + timeout.getMessage(),
                        Meters.exceptionTag(cause));
                return;
            }
            method.logFailure(log, errorLogLevel, t);
            String message;
            try {
                message = cause.getMessage() == null ? "" : cause.getMessage();
            } catch (Throwable broken) { // an exception whose getMessage throws
                message = "(the message could not be read: " + broken.getClass().getName() + ")";
            }
            byte[] details = null;
            if (!oneWay && (method.declares(cause) || exceptions.sends(cause))) {
                details = exceptions.encode(cause);
            }
            fail(RpcStatus.SERVICE_ERROR, cause.getClass().getName(), message, Meters.exceptionTag(cause), details);
        }

        private void fail(RpcStatus status, String type, String message, String exceptionTag) {
            fail(status, type, message, exceptionTag, null);
        }

        private void fail(RpcStatus status, String type, String message, String exceptionTag, byte @Nullable [] details) {
            if (!ENDED.compareAndSet(this, 0, 1)) {
                return;
            }
            if (!oneWay) {
                sendError(connection, requestId, status, type, message, details);
            }
            done(Outcome.of(status), status.name(), exceptionTag);
        }

        private void done(Outcome outcome, String status, String exceptionTag) {
            connection.callEnded();
            finished();
            long nanos = System.nanoTime() - startNanos;
            if (concurrency != null) { // only a run that ended on its own says how long the method takes now
                concurrency.release(nanos, outcome == Outcome.SUCCESS || outcome == Outcome.ERROR);
            }
            Meters.CallTimers timers = connection.timers(method);
            if (outcome == Outcome.SUCCESS) {
                timers.success(nanos);
            } else {
                timers.record(outcome, status, exceptionTag, nanos);
            }
        }

        // ServerCall, for the interceptors

        @Override
        public ServiceKey service() {
            return method.key;
        }

        @Override
        public RpcMethod method() {
            return method.rpcMethod;
        }

        @Override
        public @Nullable Object[] arguments() {
            Object[] a = args;
            return a != null ? a : new Object[0];
        }

        @Override
        public Map<String, String> metadata() {
            return metadata;
        }

        @Override
        public OptionalLong deadlineMillis() {
            return deadline == 0 ? OptionalLong.empty() : OptionalLong.of(deadline);
        }

        @Override
        public @Nullable SocketAddress remoteAddress() {
            return connection.remoteAddress();
        }

        @Override
        public io.rpcboot.core.tls.@Nullable TlsPeer tlsPeer() {
            return connection.tlsPeer();
        }

        @Override
        public Map<String, Object> attributes() {
            Map<String, Object> a = attributes;
            if (a == null) {
                synchronized (this) {
                    a = attributes;
                    if (a == null) { // an asynchronous method's stage may complete on another thread
                        attributes = a = new ConcurrentHashMap<>();
                    }
                }
            }
            return a;
        }

        @Override
        public String toString() {
            return "ServerCall[" + method.describe() + " from " + connection.remoteAddress() + "]";
        }
    }
}
