package io.rpcboot.core.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.rpcboot.core.RpcConnectionException;
import io.rpcboot.core.RpcException;
import io.rpcboot.core.RpcNoInstanceException;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.balance.LoadBalancer;
import io.rpcboot.core.intercept.ClientAttempt;
import io.rpcboot.core.intercept.ClientInterceptor;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.context.CallScope;
import io.rpcboot.core.internal.pool.PoolException;
import io.rpcboot.core.internal.pool.PoolTimeoutException;
import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.registry.ServiceInstance;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logical call, from the proxy to its outcome, through as many {@link Attempt}s as are safe:
 *
 * <pre>
 *  attempt ─► pick an instance not tried, not draining ─► lease a connection ─► writable? ─► send
 *                                                     not writable: wait (unsent) until it is ─┘
 *     ▲                 │ none left: fail (with the last failure)
 *     │   response ─► OK: succeed │ SERVICE_ERROR / BAD_REQUEST: fail │ DEADLINE_EXCEEDED*: time out
 *     ├── not run (never sent, OVERLOADED, DRAINING, NOT_FOUND, cannot connect): again elsewhere
 *     └── may have run (connection lost, INTERNAL): again only if idempotent and retries are left
 *  deadline ─► time out: a timer on the connection's loop (async caller), the parked caller itself
 *              (sync caller), or the deadline guard while connecting
 * </pre>
 *
 * Attempts follow one another (never overlap), each started on whatever thread ended the previous
 * one; blocking steps (connecting, waiting for a lease) run on the client's connector threads, under
 * a deadline guard that ends the call at its deadline whatever they are doing. The outcome is decided
 * once (see {@link CallOutcome}) and reaches the caller through its {@link CallCompletion}.
 * Time comes from the client's {@link CallClock}.
 */
final class Invocation extends CallOutcome implements LoadBalancer.CallInfo {

    private static final Logger log = LoggerFactory.getLogger(Invocation.class);

    private final Reference<?> reference;
    private final Object[] args;
    final long deadlineNanos;
    private final long timeoutMillis;
    private final boolean inheritedDeadline;
    /** Instances tried so far: the first without a list, a list only once a call is retried. */
    private @Nullable ServiceInstance firstTried;
    private @Nullable List<ServiceInstance> moreTried;
    /**
     * The address of the instance tried last, for messages. A plain field: the deadline guard reads it
     * on a loop thread while a retry may be writing it, and a stale address in a message is harmless,
     * where walking {@code moreTried} during an append could throw.
     */
    private @Nullable String lastTried;
    private int retriesLeft;
    /** Whether ejected instances may be picked: once nothing else is left to try. */
    private boolean ignoreEjections;
    /** A slow-starting instance passed over while picking again; null otherwise. */
    private @Nullable ServiceInstance skipped;
    private @Nullable RpcException lastFailure;
    /** Whether the deadline guard of the slow path is set (at most one per call). */
    private volatile boolean deadlineGuardSet;
    /** Whether the call waited for a connection that was not writable (said when it times out). */
    private volatile boolean waitedForWritable;
    private volatile @Nullable Attempt current;
    private final Map<String, String> metadata;
    /** The call as the interceptors saw it; null on the plain path (no interceptors). */
    private final @Nullable InterceptedCall intercepted;

    Invocation(ClientRuntime runtime, Reference<?> reference, ClientMethod method, Object[] args,
               CallCompletion completion, @Nullable CallContext context, @Nullable InterceptedCall intercepted) {
        super(runtime, method, completion);
        this.reference = reference;
        this.args = args;
        this.intercepted = intercepted;
        this.retriesLeft = method.retries;
        if (context != null) {
            this.deadlineNanos = context.deadlineNanos;
            this.inheritedDeadline = context.inheritedDeadline;
            this.metadata = context.metadata;
        } else { // the plain path: read the caller's thread here, without a CallContext
            CallScope scope = CallScope.current();
            this.deadlineNanos = CallContext.deadlineNanos(runtime, scope, method, startNanos);
            this.inheritedDeadline = deadlineNanos - (startNanos + method.timeoutNanos) < 0;
            this.metadata = CallContext.metadata(runtime, reference, scope, false);
        }
        this.timeoutMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - startNanos);
    }

    void start() {
        runtime.inFlight.increment();
        CircuitBreaker breaker = method.breaker;
        if (breaker != null) {
            if (!breaker.tryAcquirePermission()) {
                fail(RpcCircuitBreakers.refused(breaker, method)); // before the retry budget: nothing is sent
                return;
            }
            permit = breaker;
        }
        runtime.retryBudget.called(startNanos);
        try {
            attempt();
        } catch (Throwable e) { // a balancer or an argument's toString threw: the call ends, its permit reported
            fail(e instanceof RpcException r ? r : new RpcException("cannot call " + method.describe() + ": " + e, e));
        }
    }

    private void attempt() {
        if (isOutcomeDecided()) {
            return; // the deadline guard ended the call while this attempt was being arranged
        }
        if (runtime.closed) {
            fail(new RpcException("cannot call " + method.describe() + ": the client is closed"));
            return;
        }
        if (deadlineNanos - clock.nanoTime() <= 0) {
            timedOut(lastTriedAddress(), null);
            return;
        }
        ServiceInstance instance = reference.directory.pick(this);
        if (instance == null && !ignoreEjections) {
            ignoreEjections = true; // only ejected instances are left: trying one beats failing the call
            instance = reference.directory.pick(this);
        }
        if (instance == null) {
            fail(noInstance());
            return;
        }
        Endpoint endpoint = reference.directory.endpoint(instance);
        if (endpoint != null && endpoint.callShare() < 1
                && ThreadLocalRandom.current().nextDouble() >= endpoint.callShare()) {
            // slow start: this address takes only part of its share for now; the rest goes elsewhere
            skipped = instance;
            ServiceInstance other = reference.directory.pick(this);
            skipped = null;
            if (other != null) {
                instance = other;
                endpoint = reference.directory.endpoint(other);
            }
        }
        addTried(instance);
        if (endpoint == null) { // it left the registry since the picker's snapshot was taken
            notRun(new RpcConnectionException(instance.address() + " left the registry before " + method.describe()
                    + " was sent to it", false));
            return;
        }
        if (endpoint.tls == null && instance.requiresTls()) {
            notRun(new RpcConnectionException(instance.address() + " accepts only TLS and this client has no TLS"
                    + " configured (a client TLS config, or rpc.client.ssl.bundle); the call was not sent to it", false));
            return;
        }
        ClientConnection connection = endpoint.pool.tryAcquire();
        if (connection != null) {
            send(endpoint, connection);
        } else {
            // connecting or waiting for a lease may take longer than the call has: never on the
            // caller's thread, always under the deadline guard
            setDeadlineGuard();
            try {
                Endpoint target = endpoint;
                runtime.connector.execute(() -> acquireAndSend(target));
            } catch (RejectedExecutionException e) {
                fail(new RpcException("cannot call " + method.describe() + ": the client is closed"));
            }
        }
    }

    /**
     * On the slow path (connecting, waiting for a lease) no attempt timer runs yet: make sure the
     * call still ends at its deadline, whatever the connect is doing.
     */
    private void setDeadlineGuard() {
        if (deadlineGuardSet) {
            return;
        }
        deadlineGuardSet = true;
        try {
            clock.schedule(runtime.loops.next(), deadlineNanos - clock.nanoTime(), () -> {
                if (!isOutcomeDecided()) {
                    abandonAtDeadline(); // a try sent by the slow path counts against its address like any other
                    timedOut(lastTriedAddress(), null);
                }
            });
        } catch (RejectedExecutionException e) {
            // the loops are stopping: the client is closing and the call will fail with it
        }
    }

    /**
     * The connection this call waited for is writable again, or closed: try the endpoint again. On
     * the connection's loop, or the thread that queued the call.
     */
    void resumeAfterBackPressure(Endpoint endpoint) {
        if (isOutcomeDecided()) {
            return; // the deadline passed while it waited
        }
        if (runtime.closed) {
            fail(new RpcException("cannot call " + method.describe() + ": the client is closed"));
            return;
        }
        ClientConnection connection = endpoint.pool.tryAcquire();
        if (connection != null) {
            send(endpoint, connection);
            return;
        }
        try {
            runtime.connector.execute(() -> acquireAndSend(endpoint));
        } catch (RejectedExecutionException e) {
            fail(new RpcException("cannot call " + method.describe() + ": the client is closed"));
        }
    }

    /** On a connector thread: may block until connected or leased, or the deadline. */
    private void acquireAndSend(Endpoint endpoint) {
        long remainingMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - clock.nanoTime()));
        ClientConnection connection;
        try {
            connection = endpoint.pool.acquire(remainingMillis, TimeUnit.MILLISECONDS);
        } catch (PoolTimeoutException e) {
            RpcConnectionException none = new RpcConnectionException("no connection to " + endpoint.address + " for "
                    + method.describe() + ": " + e.getMessage(), false, e);
            attemptEnded(null, none);
            notRun(none);
            return;
        } catch (PoolException e) {
            RpcConnectionException refused = new RpcConnectionException("cannot connect to " + endpoint.address + " for "
                    + method.describe() + ": " + rootMessage(e), false, e);
            endpoint.outlierFailure();
            attemptEnded(null, refused);
            notRun(refused);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new RpcException("interrupted while connecting to " + endpoint.address + " for " + method.describe()));
            return;
        } catch (IllegalStateException e) {
            fail(new RpcException("cannot call " + method.describe() + ": " + e.getMessage(), e));
            return;
        }
        if (isOutcomeDecided()) {
            endpoint.pool.release(connection); // the deadline passed while connecting
            return;
        }
        send(endpoint, connection);
    }

    private void send(Endpoint endpoint, ClientConnection connection) {
        if (!connection.isWritable()) {
            // back-pressure: the provider does not read what is already queued. Add nothing to it:
            // wait, unsent and without a lease, until it drains, or until the deadline guard ends the call
            endpoint.pool.release(connection);
            waitedForWritable = true;
            setDeadlineGuard();
            connection.awaitWritable(this);
            return;
        }
        long requestId = connection.nextRequestId();
        long remainingNanos = deadlineNanos - clock.nanoTime();
        PooledBuffer frame;
        try {
            frame = CallFrames.request(runtime.codec, reference, method, args, requestId,
                    clock.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(remainingNanos), metadata,
                    runtime.config.peerLimits());
        } catch (RuntimeException e) { // SerializationException, ProtocolException, metadata over budget, a codec bug
            endpoint.pool.release(connection);
            fail(new RpcException("cannot send " + method.describe() + ": " + e.getMessage(), e));
            return;
        }
        Attempt attempt = new Attempt(this, endpoint, connection, requestId);
        current = attempt;
        endpoint.figures.start();
        if (!connection.send(frame, attempt)) {
            if (attempt.tryEnd()) {
                attempt.releaseLease();
                String why = connection.closeReason();
                RpcConnectionException closed = new RpcConnectionException("connection to " + endpoint.address
                        + " closed before " + method.describe() + " was sent" + (why != null ? " (" + why + ")" : ""),
                        false);
                attemptEnded(null, closed);
                notRun(closed);
            }
            return;
        }
        if (!(completion instanceof ParkedCaller parked && parked.awaitFollowsOnThisThread(clock))) {
            connection.loopMustRead(); // only a caller about to wait, on its own thread, reads its answer itself
        }
        if (isOutcomeDecided()) {
            // the deadline guard or the caller ended the call while this thread was sending: whoever
            // decided may have read current before it was set, so end the attempt here too (tryEnd
            // makes the second ending a no-op)
            attempt.abandon();
            return;
        }
        if (!completion.callerWaits()) {
            attempt.armDeadlineTimer(connection.eventLoop(), remainingNanos);
        }
    }

    /** The response of the current attempt, on the thread reading the connection (its loop, or a reading caller). Takes ownership of {@code frame}. */
    void onResponse(Endpoint endpoint, Frame frame) {
        boolean handedOver = false;
        attemptEnded(frame.isOversize() ? null : frame.status(), null);
        switch (frame.isOversize() ? RpcStatus.OK : frame.status()) {
            case INTERNAL, UNKNOWN -> endpoint.outlierFailure();
            case OVERLOADED, DRAINING -> { } // healthy but shedding: neither a failure nor a success
            default -> endpoint.outlier.succeeded(); // it answered as a healthy instance does
        }
        try {
            if (frame.isOversize()) {
                runtime.meters().inbound.limitExceeded("frame_size").increment();
                fail(new RpcException("the response of " + method.describe() + " from " + endpoint.address + " is "
                        + frame.oversizeBytes() + " bytes, above this client's frame limit of "
                        + runtime.config.maxFrameSize() + " bytes (rpc.client.max-frame-size); it was skipped"));
                return;
            }
            RpcStatus status = frame.status();
            if (status == RpcStatus.OK) {
                if (completion.callerWaits() && method.resultCodec != null) {
                    if (tryDecideOutcome()) {
                        completion.answered(frame, endpoint); // the caller decodes it, and releases it
                        handedOver = true;
                    }
                    return;
                }
                succeed(CallFrames.result(method, frame));
                return;
            }
            RpcRemoteException remote = CallFrames.error(frame, method, endpoint, runtime.exceptions,
                    runtime.meters().inbound.limitExceeded("exception_details"));
            switch (status) {
                case DRAINING -> {
                    endpoint.markDraining();
                    refusedUnrun(remote);
                }
                case OVERLOADED, NOT_FOUND -> refusedUnrun(remote);
                case UNAUTHENTICATED, PERMISSION_DENIED -> fail(remote); // did not run, and never will here or elsewhere
                case DEADLINE_EXCEEDED, DEADLINE_EXCEEDED_WHILE_RUNNING -> timedOut(endpoint.address, remote);
                case INTERNAL, UNKNOWN -> mayHaveRun(remote);
                default -> fail(remote); // SERVICE_ERROR, BAD_REQUEST: the same everywhere
            }
        } catch (Throwable e) {
            // a SerializationException or an exceeded budget, or a bug in a codec: whatever the provider
            // sent, the call ends here (an asynchronous caller's future must complete)
            fail(new RpcException("cannot read the result of " + method.describe() + " from " + endpoint.address + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()), e));
        } finally {
            if (!handedOver) {
                frame.release();
            }
        }
    }

    /** The current attempt's connection closed before its response, on the connection's loop. */
    void onConnectionLost(Endpoint endpoint, String reason, boolean mayHaveRun) {
        endpoint.outlierFailure();
        if (!mayHaveRun) {
            RpcConnectionException refused = new RpcConnectionException(endpoint.address + " does not speak the rpc-boot"
                    + " protocol, so " + method.describe() + " did not run there (" + reason + ")", false);
            attemptEnded(null, refused);
            notRun(refused);
            return;
        }
        RpcConnectionException lost = new RpcConnectionException("connection to " + endpoint.address
                + " was lost while calling " + method.describe() + " (" + reason + "); the call may have run", true);
        attemptEnded(null, lost);
        mayHaveRun(lost);
    }

    /**
     * Tells the interceptors that the current try ended, once per try (only for a call that went
     * through interceptors). An interceptor that throws here is logged; the call goes on.
     */
    private void attemptEnded(@Nullable RpcStatus status, @Nullable RpcException failure) {
        InterceptedCall call = intercepted;
        ClientAttempt attempt = call == null ? null : call.attemptEnded(status, failure, clock.nanoTime());
        if (attempt == null) {
            return;
        }
        for (ClientInterceptor interceptor : runtime.interceptors) {
            try {
                interceptor.attemptEnded(attempt);
            } catch (RuntimeException e) {
                log.warn("{}.attemptEnded failed for {}", interceptor.getClass().getName(), method.describe(), e);
            }
        }
    }

    /** The try in flight, if any. */
    @Nullable Attempt currentAttempt() {
        return current;
    }

    @Override
    void endCurrentAttempt(RpcException why) {
        Attempt a = current;
        if (a != null) {
            a.abandon();
        }
        attemptEnded(null, why); // a try the call's end cut short (reported once, if not already)
    }

    /** A waiting caller's deadline passed: it ends the call itself (no timer does that for it). Caller's thread. */
    void deadlinePassedWhileCallerWaits() {
        Attempt a = abandonAtDeadline();
        timedOut(a != null ? a.endpoint.address : lastTriedAddress(), null);
    }

    /** The deadline came: the try still out, if any, is abandoned and counts as its address's failure. */
    private @Nullable Attempt abandonAtDeadline() {
        Attempt a = current;
        if (a != null && a.abandon()) {
            a.endpoint.outlierFailure();
        }
        return a;
    }

    /** The caller gives up: the attempt in flight is forgotten and its lease given back. Caller's thread. */
    void abandon(RpcException why) {
        Attempt a = current;
        if (a != null && a.abandon() && why instanceof RpcTimeoutException) {
            a.endpoint.outlierFailure(); // the try was still out when the deadline came
        }
        fail(why);
    }

    /** The call provably did not run: another instance may take it, whatever the retry settings. */
    private void notRun(RpcException cause) {
        lastFailure = cause;
        attempt();
    }

    /**
     * A provider answered that it did not run the call (overloaded, draining, not found there):
     * another instance may take it, if the client's retry budget allows one more retry.
     */
    private void refusedUnrun(RpcException cause) {
        lastFailure = cause;
        // with no instance left the attempt fails "no instance left to try", drawing nothing on the budget
        if (!anotherInstanceLeft() || withinRetryBudget(cause, "not_run")) {
            attempt();
        }
    }

    /** The call may have run: repeat it only where that is harmless, and the retry budget allows. */
    private void mayHaveRun(RpcException cause) {
        lastFailure = cause;
        if (retriesLeft > 0 && anotherInstanceLeft()) {
            retriesLeft--;
            if (withinRetryBudget(cause, "may_have_run")) {
                attempt();
            }
        } else {
            fail(cause);
        }
    }

    /**
     * Whether a retry would find an instance not tried yet (an ejected one counts: a retry may take
     * it when nothing else is left). A retry that has nowhere to go is not one: it neither draws on
     * the retry budget nor counts as retried. On the failure path only.
     */
    private boolean anotherInstanceLeft() {
        if (reference.directory.pick(this) != null) {
            return true;
        }
        boolean ignoring = ignoreEjections;
        ignoreEjections = true;
        try {
            return reference.directory.pick(this) != null;
        } finally {
            ignoreEjections = ignoring;
        }
    }

    /**
     * Whether the client's {@link RetryBudget} allows one more retry; if not, the call ends with its
     * last failure, which says why it was not retried.
     */
    private boolean withinRetryBudget(RpcException cause, String reason) {
        if (runtime.retryBudget.tryRetry(clock.nanoTime())) {
            runtime.meters().retried(reason).increment();
            return true;
        }
        runtime.meters().retryRefused(reason).increment();
        cause.addSuppressed(new RpcException("not retried: this client's retry budget is spent ("
                + runtime.config.retryBudget() + "; rpc.client.retry-budget.*)"));
        fail(cause);
        return false;
    }

    /**
     * The call's deadline passed: here ({@code providerReport} null), or while the provider served
     * it (a call made while serving a call, out of the time it inherited).
     */
    void timedOut(String where, @Nullable RpcRemoteException providerReport) {
        fail(new RpcTimeoutException("call to " + method.describe() + " on " + where + " timed out after "
                + timeoutMillis + " ms" + (inheritedDeadline ? " (the deadline inherited from the call being served)" : "")
                + (waitedForWritable ? "; it waited for a connection that took no writes: the provider does not read" : "")
                + (providerReport == null ? "" : "; the provider reported " + providerReport.status() + ": "
                        + providerReport.remoteMessage()), inheritedDeadline));
    }

    private RpcException noInstance() {
        String what = reference.directory.instances().isEmpty()
                ? "no instance of " + reference.key + " is known (registry " + runtime.registry.name()
                        + (reference.directUrls ? ", direct urls" : "") + ")"
                : "no instance of " + reference.key + " is left to try (" + triedSummary() + ")";
        return lastFailure == null ? new RpcNoInstanceException(what + " for " + method.describe())
                : new RpcNoInstanceException(what + " for " + method.describe() + "; last failure: "
                        + lastFailure.getMessage(), lastFailure);
    }

    private void addTried(ServiceInstance instance) {
        lastTried = instance.address();
        if (intercepted != null) {
            intercepted.attemptStarted(instance, clock.nanoTime());
        }
        if (firstTried == null) {
            firstTried = instance;
        } else {
            if (moreTried == null) {
                moreTried = new ArrayList<>(2);
            }
            moreTried.add(instance);
        }
    }

    private String triedSummary() {
        int tried = triedCount();
        int known = reference.directory.instances().size();
        if (tried >= known) {
            return known == 1 ? "tried its only instance" : "tried all " + known;
        }
        if (known == 1) {
            return "its only instance is draining or unreachable";
        }
        return "tried " + tried + " of " + known + "; " + (known - tried == 1 ? "the other is" : "the others are")
                + " draining or unreachable";
    }

    private int triedCount() {
        return firstTried == null ? 0 : 1 + (moreTried == null ? 0 : moreTried.size());
    }

    private String lastTriedAddress() {
        String address = lastTried;
        return address == null ? "no instance" : address;
    }

    /**
     * The root cause's message, or the transport's TLS account of a failed handshake, which says the
     * same and what to check.
     */
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            if (t instanceof javax.net.ssl.SSLException && t.getMessage() != null) {
                return t.getMessage();
            }
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    @Override
    public String method() {
        return method.signature;
    }

    @Override
    public Object[] arguments() {
        return args;
    }

    @Override
    public boolean excluded(ServiceInstance instance) {
        if (instance.equals(firstTried) || (moreTried != null && moreTried.contains(instance))
                || skipped != null && skipped.equals(instance)) {
            return true;
        }
        Endpoint endpoint = reference.directory.endpoint(instance);
        return endpoint == null || !endpoint.isAvailable() || !ignoreEjections && reference.directory.leftOut(endpoint);
    }
}
