package io.rpcboot.core.internal.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.rpcboot.core.internal.protocol.InboundGuard;
import io.rpcboot.core.internal.protocol.PeerWarnings;
import org.slf4j.LoggerFactory;

/**
 * One side's counters for what peers send beyond the rules: {@code rpc.frames.malformed} and
 * {@code rpc.limits.exceeded} by {@code reason} (a small fixed set of names, see docs/security.md),
 * and its rate-limited warnings. Shared by every connection of a server or a client; thread-safe.
 */
final class InboundReports implements InboundGuard.Reports {

    private final Meters metrics;
    private final Meters.Side side;
    private final Counter malformed;
    private final PeerWarnings warnings;
    private final Map<String, Counter> byReason = new ConcurrentHashMap<>();

    InboundReports(Meters metrics, Meters.Side side) {
        this.metrics = metrics;
        this.side = side;
        this.malformed = metrics.malformedFrames(side);
        this.warnings = new PeerWarnings(LoggerFactory.getLogger("io.rpcboot.core." + side.tag() + ".peers"));
    }

    @Override
    public Counter malformed() {
        return malformed;
    }

    @Override
    public Counter limitExceeded(String reason) {
        return byReason.computeIfAbsent(reason, r -> metrics.limitExceeded(side, r));
    }

    @Override
    public PeerWarnings warnings() {
        return warnings;
    }

    @Override
    public String side() {
        return side.tag();
    }
}
