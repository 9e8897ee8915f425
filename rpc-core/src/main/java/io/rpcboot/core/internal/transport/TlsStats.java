package io.rpcboot.core.internal.transport;

import java.util.concurrent.atomic.LongAdder;

/** Counts of one side's TLS handshakes, read by its meters. */
public final class TlsStats {

    final LongAdder handshakes = new LongAdder();
    final LongAdder handshakeFailures = new LongAdder();
    final LongAdder handshakeTimeouts = new LongAdder();
    final LongAdder handshakeTooLarge = new LongAdder();
    final LongAdder handshakeRefused = new LongAdder();

    /** Handshakes that finished. */
    public long handshakes() {
        return handshakes.sum();
    }

    /** Handshakes the engine refused (bad certificate, no shared version or suite, not TLS at all...). */
    public long handshakeFailures() {
        return handshakeFailures.sum();
    }

    /** Handshakes cut off because they took longer than the handshake timeout. */
    public long handshakeTimeouts() {
        return handshakeTimeouts.sum();
    }

    /** Handshakes cut off because the peer sent more than the handshake byte budget. */
    public long handshakeTooLarge() {
        return handshakeTooLarge.sum();
    }

    /** Handshakes refused because too many waited for a thread to run their tasks. */
    public long handshakeRefused() {
        return handshakeRefused.sum();
    }
}
