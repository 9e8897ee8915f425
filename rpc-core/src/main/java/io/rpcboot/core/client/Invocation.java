package io.rpcboot.core.client;

import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcNoInstanceException;
import io.rpcboot.core.RpcConnectionException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.rpcboot.core.RpcContext;
import io.rpcboot.core.RpcException;
import io.rpcboot.core.balance.LoadBalancer;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.metrics.Outcome;
import io.rpcboot.core.internal.pool.PoolException;
import io.rpcboot.core.internal.pool.PoolTimeoutException;
import io.rpcboot.core.internal.protocol.ErrorBody;
import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.protocol.FrameBuilder;
import io.rpcboot.core.internal.protocol.FrameType;
import io.rpcboot.core.internal.protocol.Headers;
import io.rpcboot.core.internal.protocol.ProtocolException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.internal.reactor.EventLoop;
import io.rpcboot.core.internal.reactor.Timeout;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.SerializationException;
import org.jspecify.annotations.Nullable;

/**
 * One logical call, from the proxy to its result, through as many attempts as are safe:
 *
 * <pre>
 *  attempt ─► pick an instance not tried, not draining ─► lease a connection ─► send
 *     ▲                 │ none left: fail (with the last failure)
 *     │   response ─► OK: done │ SERVICE_ERROR / BAD_REQUEST: fail
 *     ├── not run (never sent, OVERLOADED, DRAINING, NOT_FOUND, cannot connect): always again elsewhere
 *     └── may have run (connection lost, INTERNAL): again only if idempotent and retries are left
 *  deadline timer (on the connection's loop) ─► fail with RpcTimeoutException
 * </pre>
 *
 * Attempts follow one another (never overlap), each on whatever thread ended the previous one;
 * blocking steps (connecting, waiting for a lease) run on the client's connector threads, under a
 * timer that ends the call at its deadline whatever they are doing.
 */
final class Invocation implements LoadBalancer.CallInfo {

    private final ClientRuntime runtime;
    private final Reference<?> reference;
    private final MethodDescriptor method;
    private final Object[] args;
    private final long startNanos = System.nanoTime();
    private final long deadlineNanos;
    private final long timeoutMillis;
    private final boolean inheritedDeadline;
    /** Instances tried so far: the first without a list, a list only once a call is retried. */
    private @Nullable ServiceInstance firstTried;
    private @Nullable List<ServiceInstance> moreTried;
    private int retriesLeft;
    private @Nullable RpcException lastFailure;
    /** 0 until the call's outcome is decided, then 1; set by one CAS, whoever decides it. */
    private volatile int finished;
    private boolean guarded;
    /** The asynchronous caller's future; null for a synchronous caller, who waits in {@link #await}. */
    final @Nullable CompletableFuture<Object> result;
    /**
     * A synchronous caller waits in {@link #await}: it enforces the deadline itself (no timer on the
     * loop) and decodes the result on its own thread, which keeps that work off the event loop. Its
     * outcome is handed over in the fields below, published by the volatile write of {@code done},
     * and the caller is unparked: no future, no wait node.
     */
    private final @Nullable Thread waiter;
    private @Nullable Object value;
    private @Nullable Throwable failure;
    /** An OK response the synchronous caller decodes (and releases) itself, and where it came from. */
    private @Nullable Frame undecoded;
    private @Nullable Endpoint undecodedFrom;
    private volatile boolean done;
    private volatile @Nullable Attempt current;

    private static final VarHandle FINISHED;

    static {
        try {
            FINISHED = MethodHandles.lookup().findVarHandle(Invocation.class, "finished", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Invocation(ClientRuntime runtime, Reference<?> reference, MethodDescriptor method, Object[] args, boolean syncCaller) {
        this.runtime = runtime;
        this.reference = reference;
        this.waiter = syncCaller ? Thread.currentThread() : null;
        this.result = syncCaller ? null : new CompletableFuture<>();
        this.method = method;
        this.args = args;
        this.retriesLeft = reference.idempotent ? reference.retries : 0;
        long own = startNanos + method.timeoutNanos;
        OptionalLong inherited = RpcContext.deadlineMillis();
        long inheritedNanos = inherited.isPresent()
                ? startNanos + TimeUnit.MILLISECONDS.toNanos(inherited.getAsLong() - System.currentTimeMillis()) : own;
        this.inheritedDeadline = inheritedNanos - own < 0;
        this.deadlineNanos = inheritedDeadline ? inheritedNanos : own;
        this.timeoutMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - startNanos);
    }

    /** Claims the right to decide the call's outcome; true for exactly one caller. */
    private boolean finish() {
        return FINISHED.compareAndSet(this, 0, 1);
    }

    private boolean isFinished() {
        return finished != 0;
    }

    private void addTried(ServiceInstance instance) {
        if (firstTried == null) {
            firstTried = instance;
        } else {
            if (moreTried == null) {
                moreTried = new ArrayList<>(2);
            }
            moreTried.add(instance);
        }
    }

    private int triedCount() {
        return firstTried == null ? 0 : 1 + (moreTried == null ? 0 : moreTried.size());
    }

    private String lastTriedAddress() {
        if (firstTried == null) {
            return "no instance";
        }
        return moreTried == null ? firstTried.address() : moreTried.get(moreTried.size() - 1).address();
    }

    void start() {
        runtime.inFlight.increment();
        attempt();
    }

    private void attempt() {
        if (isFinished()) {
            return; // the deadline guard ended the call while this attempt was being arranged
        }
        if (runtime.closed) {
            fail(new RpcException("cannot call " + method.describe() + ": the client is closed"));
            return;
        }
        if (deadlineNanos - System.nanoTime() <= 0) {
            timedOut(lastTriedAddress());
            return;
        }
        ServiceInstance instance = reference.directory.pick(this);
        if (instance == null) {
            fail(noInstance());
            return;
        }
        addTried(instance);
        Endpoint endpoint = reference.directory.endpoint(instance);
        if (endpoint == null) { // it left the registry since the picker's snapshot was taken
            notRun(new RpcConnectionException(instance.address() + " left the registry before " + method.describe()
                    + " was sent to it", false));
            return;
        }
        ClientConnection connection = endpoint.pool.tryAcquire();
        if (connection != null) {
            send(endpoint, connection);
        } else {
            // connecting or waiting for a lease may take longer than the call has: never on the
            // caller's thread, always under the deadline guard
            guardDeadline();
            try {
                runtime.connector.execute(() -> acquireAndSend(endpoint));
            } catch (RejectedExecutionException e) {
                fail(new RpcException("cannot call " + method.describe() + ": the client is closed"));
            }
        }
    }

    /**
     * On the slow path (connecting, waiting for a lease) no attempt timer runs yet: make sure the
     * call still ends at its deadline, whatever the connect is doing.
     */
    private void guardDeadline() {
        if (guarded) {
            return;
        }
        guarded = true;
        try {
            runtime.loops.next().schedule(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS, () -> {
                if (!isFinished()) {
                    timedOut(lastTriedAddress());
                }
            });
        } catch (RejectedExecutionException e) {
            // the loops are stopping: the client is closing and the call will fail with it
        }
    }

    private RpcException noInstance() {
        String what = reference.directory.instances().isEmpty()
                ? "no instance of " + reference.key + " is known (registry " + runtime.registry.name()
                        + (reference.directUrls ? ", direct urls" : "") + ")"
                : "no instance of " + reference.key + " is left to try (tried " + triedCount() + " of "
                        + reference.directory.instances().size() + "; the others are draining or unreachable)";
        return lastFailure == null ? new RpcNoInstanceException(what + " for " + method.describe())
                : new RpcNoInstanceException(what + " for " + method.describe() + "; last failure: "
                        + lastFailure.getMessage(), lastFailure);
    }

    private void acquireAndSend(Endpoint endpoint) {
        long remainingMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
        ClientConnection connection;
        try {
            connection = endpoint.pool.acquire(remainingMillis, TimeUnit.MILLISECONDS);
        } catch (PoolTimeoutException e) {
            notRun(new RpcConnectionException("no connection to " + endpoint.address + " for " + method.describe()
                    + ": " + e.getMessage(), false, e));
            return;
        } catch (PoolException e) {
            notRun(new RpcConnectionException("cannot connect to " + endpoint.address + " for " + method.describe()
                    + ": " + rootMessage(e), false, e));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new RpcException("interrupted while connecting to " + endpoint.address + " for " + method.describe()));
            return;
        } catch (IllegalStateException e) {
            fail(new RpcException("cannot call " + method.describe() + ": " + e.getMessage(), e));
            return;
        }
        if (isFinished()) {
            endpoint.pool.release(connection); // the deadline passed while connecting
            return;
        }
        send(endpoint, connection);
    }

    private void send(Endpoint endpoint, ClientConnection connection) {
        long requestId = connection.nextRequestId();
        long remainingNanos = deadlineNanos - System.nanoTime();
        FrameBuilder b = runtime.codec.start(FrameType.REQUEST, requestId, reference.serialization.id(), RpcStatus.OK)
                .header(Headers.SERVICE, reference.key.interfaceName()).header(Headers.METHOD, method.signature);
        if (!reference.key.version().isEmpty()) {
            b.header(Headers.VERSION, reference.key.version());
        }
        if (!reference.key.group().isEmpty()) {
            b.header(Headers.GROUP, reference.key.group());
        }
        b.header(Headers.DEADLINE, System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(remainingNanos));
        PooledBuffer frame;
        try {
            for (int i = 0; i < args.length; i++) {
                method.parameterCodecs[i].write(b.body(), args[i]);
            }
            frame = b.finish();
        } catch (RuntimeException e) { // SerializationException, ProtocolException, or a bug in a codec
            b.discard();
            endpoint.pool.release(connection);
            fail(new RpcException("cannot send " + method.describe() + ": " + e.getMessage(), e));
            return;
        }
        Attempt attempt = new Attempt(endpoint, connection, requestId);
        current = attempt;
        endpoint.figures.start();
        if (!connection.send(frame, attempt)) {
            if (attempt.claim()) {
                attempt.finish();
                notRun(new RpcConnectionException("connection to " + endpoint.address + " closed before "
                        + method.describe() + " was sent", false));
            }
            return;
        }
        if (waiter == null) {
            attempt.arm(connection.eventLoop(), remainingNanos);
        }
    }

    private void onResponse(Endpoint endpoint, @Nullable Frame frame) {
        RpcStatus status = frame.status();
        try {
            if (frame.isOversize()) {
                runtime.inbound.limitExceeded("frame_size").increment();
                fail(new RpcException("the response of " + method.describe() + " from " + endpoint.address + " is "
                        + frame.oversizeBytes() + " bytes, above this client's frame limit of "
                        + runtime.config.maxFrameSize() + " bytes (rpc.client.max-frame-size); it was skipped"));
                return;
            }
            if (status == RpcStatus.OK) {
                if (waiter != null && method.resultCodec != null) {
                    if (finish()) {
                        undecoded = frame; // the caller decodes it, and releases it
                        undecodedFrom = endpoint;
                        frame = null;
                        wake();
                    }
                    return;
                }
                Object value = method.resultCodec == null ? null : method.resultCodec.read(frame.bodyReader());
                succeed(value);
                return;
            }
            ErrorBody error;
            try {
                error = ErrorBody.readFrom(frame.bodyReader());
            } catch (SerializationException e) {
                error = new ErrorBody(status.name(), "(the error body could not be read)");
            }
            RpcRemoteException remote = new RpcRemoteException(status, error.type(), error.message(),
                    method.describe() + " on " + endpoint.address);
            switch (status) {
                case DRAINING -> {
                    endpoint.markDraining();
                    notRun(remote);
                }
                case OVERLOADED, NOT_FOUND -> notRun(remote);
                case DEADLINE_EXCEEDED -> timedOut(endpoint.address);
                case INTERNAL, UNKNOWN -> mayHaveRun(remote);
                default -> fail(remote); // SERVICE_ERROR, BAD_REQUEST: the same everywhere
            }
        } catch (Throwable e) {
            // a SerializationException or an exceeded budget, or a bug in a codec: whatever the provider
            // sent, the call ends here (an asynchronous caller's future must complete)
            fail(new RpcException("cannot read the result of " + method.describe() + " from " + endpoint.address + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()), e));
        } finally {
            if (frame != null) {
                frame.release();
            }
        }
    }

    /**
     * The synchronous caller's wait: up to the deadline, then it ends the call itself (no timer on
     * the loop does it for a synchronous call). Decodes an OK response on this thread.
     */
    Object await() throws Throwable {
        boolean interrupted = false;
        while (!done) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                Attempt a = current;
                if (a != null) {
                    a.onTimeout();
                }
                timedOut(a != null ? a.endpoint.address : lastTriedAddress());
                break;
            }
            LockSupport.parkNanos(this, left);
            if (!done && Thread.interrupted()) {
                interrupted = true;
                abandon(new RpcException("interrupted while waiting for " + method.describe()));
                break;
            }
        }
        // decided by now (by the timeout or interruption above, or by the answer that beat it);
        // the winner may still be handing the outcome over
        while (!done) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted(); // else park would return at once, again and again
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
        Frame frame = undecoded;
        if (frame == null) {
            return value;
        }
        try {
            Object decoded = method.resultCodec.read(frame.bodyReader());
            method.timers.record(Outcome.SUCCESS, System.nanoTime() - startNanos);
            return decoded;
        } catch (Throwable e) {
            method.timers.record(Outcome.FAILURE, System.nanoTime() - startNanos);
            throw new RpcException("cannot read the result of " + method.describe() + " from " + undecodedFrom.address
                    + ": " + e.getMessage(), e);
        } finally {
            runtime.inFlight.decrement();
            frame.release();
        }
    }

    /** The caller gives up: the attempt in flight is forgotten and its lease given back. */
    private void abandon(RpcException why) {
        Attempt a = current;
        if (a != null && a.claim()) {
            a.connection.forget(a.requestId);
            a.finish();
        }
        fail(why);
    }

    /** Publishes the synchronous caller's outcome (set just before) and wakes the caller. */
    private void wake() {
        done = true;
        LockSupport.unpark(waiter);
    }

    /** The call provably did not run: another instance may take it, whatever the retry settings. */
    private void notRun(RpcException cause) {
        lastFailure = cause;
        attempt();
    }

    /** The call may have run: repeat it only where that is harmless. */
    private void mayHaveRun(RpcException cause) {
        lastFailure = cause;
        if (retriesLeft > 0) {
            retriesLeft--;
            attempt();
        } else {
            fail(cause);
        }
    }

    private void timedOut(String where) {
        fail(new RpcTimeoutException("call to " + method.describe() + " on " + where + " timed out after "
                + timeoutMillis + " ms" + (inheritedDeadline ? " (the deadline inherited from the call being served)" : "")));
    }

    private void succeed(@Nullable Object v) {
        if (!finish()) {
            return;
        }
        method.timers.record(Outcome.SUCCESS, System.nanoTime() - startNanos);
        runtime.inFlight.decrement();
        if (result != null) {
            result.complete(v);
        } else {
            value = v;
            wake();
        }
    }

    private void fail(RpcException e) {
        if (!finish()) {
            return;
        }
        Outcome outcome = e instanceof RpcTimeoutException ? Outcome.TIMEOUT
                : e instanceof RpcRemoteException r ? Outcome.of(r.status())
                : e instanceof RpcNoInstanceException ? Outcome.REJECTED : Outcome.FAILURE;
        if (outcome == Outcome.TIMEOUT) {
            runtime.timeouts.increment();
        }
        method.timers.record(outcome, System.nanoTime() - startNanos);
        runtime.inFlight.decrement();
        if (result != null) {
            result.completeExceptionally(e);
        } else {
            failure = e;
            wake();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
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
        if (instance.equals(firstTried) || (moreTried != null && moreTried.contains(instance))) {
            return true;
        }
        Endpoint endpoint = reference.directory.endpoint(instance);
        return endpoint == null || !endpoint.isAvailable();
    }

    /** One try on one connection; exactly one of response, loss, timeout or abandonment ends it. */
    private final class Attempt implements ClientConnection.PendingCall {
        private static final VarHandle DONE;

        static {
            try {
                DONE = MethodHandles.lookup().findVarHandle(Attempt.class, "done", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Endpoint endpoint;
        private final ClientConnection connection;
        private final long requestId;
        private final long sentNanos = System.nanoTime();
        private volatile boolean done;
        private volatile @Nullable Timeout timer;

        Attempt(Endpoint endpoint, ClientConnection connection, long requestId) {
            this.endpoint = endpoint;
            this.connection = connection;
            this.requestId = requestId;
        }

        boolean claim() {
            return DONE.compareAndSet(this, false, true);
        }

        @Override
        public long requestId() {
            return requestId;
        }

        void arm(EventLoop loop, long delayNanos) {
            try {
                Timeout t = loop.schedule(delayNanos, TimeUnit.NANOSECONDS, this::onTimeout);
                timer = t;
                if (done) {
                    t.cancel(); // the response beat the timer
                }
            } catch (RejectedExecutionException e) {
                onConnectionLost("the client is closing");
            }
        }

        /** Gives the lease back and records the latency. */
        void finish() {
            Timeout t = timer;
            if (t != null) {
                t.cancel();
            }
            endpoint.pool.release(connection);
            endpoint.figures.end(System.nanoTime() - sentNanos);
        }

        @Override
        public void onResponse(Frame frame) {
            if (!claim()) {
                frame.release();
                return;
            }
            finish();
            Invocation.this.onResponse(endpoint, frame);
        }

        @Override
        public void onConnectionLost(String reason) {
            if (!claim()) {
                return;
            }
            finish();
            mayHaveRun(new RpcConnectionException("connection to " + endpoint.address + " was lost while calling "
                    + method.describe() + " (" + reason + "); the call may have run", true));
        }

        void onTimeout() {
            if (!claim()) {
                return;
            }
            connection.forget(requestId);
            finish();
            timedOut(endpoint.address);
        }
    }
}
