package io.rpcboot.core.client;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.rpcboot.core.balance.LoadBalancers;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.context.Metadata;
import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.serialize.BinarySerialization;
import io.rpcboot.core.tls.TlsConfig;
import org.jspecify.annotations.Nullable;

/**
 * Immutable, validated client settings; the defaults of every reference.
 *
 * @param timeout                  default deadline of a call
 * @param connectTimeout           how long opening a connection may take
 * @param connectionsPerEndpoint   connections kept to each provider address (calls are multiplexed on them)
 * @param maxInFlightPerConnection calls in flight on one connection before the next waits
 * @param heartbeatInterval        a connection silent this long sends a heartbeat; no reply within another
 *                                 interval closes it (and fails its calls); {@link Duration#ZERO} disables
 * @param idleConnectionTimeout    a connection without calls for this long is closed; zero keeps it
 * @param retries                  default retries of calls that may have run (idempotent references only)
 * @param loadBalancer             default balancer name
 * @param serialization            default serialization name
 * @param ioThreads                event loops of the client
 * @param maxFrameSize             largest frame sent or accepted, bytes
 * @param peerLimits               what a provider may make this client hold on one connection (header
 *                                 block, attachments, inflation, frame time, heartbeats, pending bytes);
 *                                 its header budget also bounds the metadata a call sends
 * @param metadata                 metadata every call of this client carries (a reference's own wins)
 * @param propagatedMetadata       keys of the metadata of a call being served that calls made while
 *                                 serving it carry on (per-call metadata wins)
 * @param tls                      TLS settings of every connection (a reference's own win); when given the
 *                                 client speaks only TLS, whatever a registration says; null: plaintext,
 *                                 and instances that announce they require TLS are refused
 * @param retryBudget              how many retries the client may send, whatever the references' settings
 * @param outlierDetection         when an address that keeps failing is left out for a while
 */
public record ClientConfig(Duration timeout, Duration connectTimeout, int connectionsPerEndpoint,
                           int maxInFlightPerConnection, Duration heartbeatInterval, Duration idleConnectionTimeout,
                           int retries, String loadBalancer, String serialization, int ioThreads, int maxFrameSize,
                           PeerLimits peerLimits, Map<String, String> metadata, Set<String> propagatedMetadata,
                           @Nullable TlsConfig tls, RetryBudget retryBudget, OutlierDetection outlierDetection) {

    /**
     * A client's default limits: {@link PeerLimits#DEFAULTS} with water marks of 512 KiB / 1 MiB, so
     * that ordinary bursts of calls (64 callers of 16 KiB each) are sent at once and only a provider
     * that stops reading makes calls wait; 1 MiB is also gRPC's default flow-control window per
     * connection. Measured in rpc-benchmark: with the server's 32/64 KiB marks, 16 KiB calls at 64
     * callers ran about 6% slower, because most calls waited and were resumed on the event loop.
     */
    public static final PeerLimits DEFAULT_PEER_LIMITS = PeerLimits.builder().waterMarks(512 * 1024, 1024 * 1024).build();

    public ClientConfig {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retryBudget, "retryBudget");
        Objects.requireNonNull(outlierDetection, "outlierDetection");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(idleConnectionTimeout, "idleConnectionTimeout");
        Objects.requireNonNull(loadBalancer, "loadBalancer");
        Objects.requireNonNull(serialization, "serialization");
        Objects.requireNonNull(peerLimits, "peerLimits");
        require(!timeout.isNegative() && !timeout.isZero(), "timeout must be > 0, was " + timeout);
        require(!connectTimeout.isNegative() && !connectTimeout.isZero(), "connectTimeout must be > 0, was " + connectTimeout);
        require(connectionsPerEndpoint >= 1 && connectionsPerEndpoint <= 64,
                "connectionsPerEndpoint must be 1..64, was " + connectionsPerEndpoint);
        require(maxInFlightPerConnection >= 1, "maxInFlightPerConnection must be >= 1, was " + maxInFlightPerConnection);
        require(!heartbeatInterval.isNegative(), "heartbeatInterval must be >= 0, was " + heartbeatInterval);
        require(!idleConnectionTimeout.isNegative(), "idleConnectionTimeout must be >= 0, was " + idleConnectionTimeout);
        require(retries >= 0 && retries <= 100, "retries must be 0..100, was " + retries);
        require(ioThreads >= 1 && ioThreads <= 1024, "ioThreads must be 1..1024, was " + ioThreads);
        require(maxFrameSize >= 1024, "maxFrameSize must be >= 1024 bytes, was " + maxFrameSize);
        try {
            Metadata.check(metadata);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("metadata has an entry that is not allowed: " + e.getMessage(), e);
        }
        metadata = Map.copyOf(metadata);
        for (String key : propagatedMetadata) {
            try {
                Metadata.check(key, "");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("propagatedMetadata has a key that is not allowed: " + e.getMessage(), e);
            }
        }
        propagatedMetadata = Set.copyOf(propagatedMetadata);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: 3 s timeout and connect timeout, 2 connections per endpoint, heartbeat 15 s, no retries. */
    public static final class Builder {
        private Duration timeout = Duration.ofSeconds(3);
        private Duration connectTimeout = Duration.ofSeconds(3);
        private int connectionsPerEndpoint = 2;
        private int maxInFlightPerConnection = 1000;
        private Duration heartbeatInterval = Duration.ofSeconds(15);
        private Duration idleConnectionTimeout = Duration.ofMinutes(5);
        private int retries;
        private String loadBalancer = LoadBalancers.DEFAULT;
        private String serialization = BinarySerialization.NAME;
        private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int maxFrameSize = FrameCodec.DEFAULT_MAX_FRAME_SIZE;
        private PeerLimits peerLimits = DEFAULT_PEER_LIMITS;
        private Map<String, String> metadata = Map.of();
        private Set<String> propagatedMetadata = Set.of();
        private @Nullable TlsConfig tls;
        private RetryBudget retryBudget = RetryBudget.DEFAULT;
        private OutlierDetection outlierDetection = OutlierDetection.DEFAULT;

        public Builder timeout(Duration v) {
            timeout = v;
            return this;
        }

        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        public Builder connectionsPerEndpoint(int v) {
            connectionsPerEndpoint = v;
            return this;
        }

        public Builder maxInFlightPerConnection(int v) {
            maxInFlightPerConnection = v;
            return this;
        }

        public Builder heartbeatInterval(Duration v) {
            heartbeatInterval = v;
            return this;
        }

        public Builder idleConnectionTimeout(Duration v) {
            idleConnectionTimeout = v;
            return this;
        }

        public Builder retries(int v) {
            retries = v;
            return this;
        }

        public Builder loadBalancer(String v) {
            loadBalancer = v;
            return this;
        }

        public Builder serialization(String v) {
            serialization = v;
            return this;
        }

        public Builder ioThreads(int v) {
            ioThreads = v;
            return this;
        }

        public Builder maxFrameSize(int v) {
            maxFrameSize = v;
            return this;
        }

        public Builder peerLimits(PeerLimits v) {
            peerLimits = v;
            return this;
        }

        public Builder metadata(Map<String, String> v) {
            metadata = v;
            return this;
        }

        public Builder propagatedMetadata(Set<String> v) {
            propagatedMetadata = v;
            return this;
        }

        /** Speaks TLS only (null: plaintext). */
        public Builder tls(@Nullable TlsConfig v) {
            tls = v;
            return this;
        }

        /** How many retries the client may send ({@link RetryBudget#DEFAULT} unless set). */
        public Builder retryBudget(RetryBudget v) {
            retryBudget = v;
            return this;
        }

        /** When an address that keeps failing is left out ({@link OutlierDetection#DEFAULT} unless set). */
        public Builder outlierDetection(OutlierDetection v) {
            outlierDetection = v;
            return this;
        }

        public ClientConfig build() {
            return new ClientConfig(timeout, connectTimeout, connectionsPerEndpoint, maxInFlightPerConnection,
                    heartbeatInterval, idleConnectionTimeout, retries, loadBalancer, serialization, ioThreads, maxFrameSize,
                    peerLimits, metadata, propagatedMetadata, tls, retryBudget, outlierDetection);
        }
    }
}
