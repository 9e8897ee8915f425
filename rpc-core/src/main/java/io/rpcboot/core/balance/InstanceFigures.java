package io.rpcboot.core.balance;

/**
 * What a balancer may read about one instance's endpoint, live: the client updates the figures
 * around each call, a balancer only reads them. Reads are lock-free and may be made per call.
 */
public interface InstanceFigures {

    /** Calls from this client to the endpoint that have started and not yet ended. */
    int active();

    /**
     * A moving average of the endpoint's latency in nanoseconds, weighted towards recent calls;
     * 0 before any call completed.
     */
    long latencyNanos();
}
