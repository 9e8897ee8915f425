package io.rpcboot.core.internal.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable, validated transport settings shared by {@link TcpServer}, {@link TcpClient} and their
 * {@link Connection}s. Every error names the setting, the value and the allowed range.
 *
 * @param lowWaterMark        queued outbound bytes below which a not-writable connection is writable again
 * @param highWaterMark       queued outbound bytes above which a connection turns not-writable
 * @param idleTimeout         time without reads or writes after which {@link ConnectionHandler#onIdle} runs;
 *                            {@link Duration#ZERO} disables idle detection
 * @param connectTimeout      how long {@link TcpClient#connect} waits for the TCP handshake
 * @param maxConnections      accepted connections a server keeps open at once; 0 means no limit
 * @param tcpNoDelay          disables Nagle's algorithm (writes are already coalesced by the loop)
 * @param receiveBufferSize   SO_RCVBUF in bytes; 0 keeps the operating system's default
 * @param sendBufferSize      SO_SNDBUF in bytes; 0 keeps the operating system's default
 * @param acceptBacklog       pending-connection backlog of a listening socket
 * @param maxConnectionsPerAddress accepted connections one peer address may keep open at once; 0 means no limit
 * @param maxAcceptsPerSecond connections a server accepts per second (bursts of one second's worth); more are
 *                            closed at once; 0 means no limit
 */
public record TransportConfig(int lowWaterMark, int highWaterMark, Duration idleTimeout, Duration connectTimeout,
                              int maxConnections, boolean tcpNoDelay, int receiveBufferSize, int sendBufferSize,
                              int acceptBacklog, int maxConnectionsPerAddress, int maxAcceptsPerSecond) {

    /** 32 KiB low / 64 KiB high water marks, no idle timeout, 3 s connect timeout, no connection limit. */
    public static final TransportConfig DEFAULTS = builder().build();

    public TransportConfig {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (lowWaterMark < 0) {
            throw new IllegalArgumentException("lowWaterMark must be >= 0, was " + lowWaterMark);
        }
        if (highWaterMark <= lowWaterMark) {
            throw new IllegalArgumentException("highWaterMark must be > lowWaterMark (" + lowWaterMark + "), was "
                    + highWaterMark);
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout must be >= 0, was " + idleTimeout);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be > 0, was " + connectTimeout);
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections must be >= 0 (0 = unlimited), was " + maxConnections);
        }
        if (receiveBufferSize < 0 || sendBufferSize < 0) {
            throw new IllegalArgumentException("receiveBufferSize and sendBufferSize must be >= 0 (0 = OS default), were "
                    + receiveBufferSize + " and " + sendBufferSize);
        }
        if (maxConnectionsPerAddress < 0) {
            throw new IllegalArgumentException("maxConnectionsPerAddress must be >= 0 (0 = unlimited), was "
                    + maxConnectionsPerAddress);
        }
        if (maxAcceptsPerSecond < 0) {
            throw new IllegalArgumentException("maxAcceptsPerSecond must be >= 0 (0 = unlimited), was "
                    + maxAcceptsPerSecond);
        }
        if (acceptBacklog < 1) {
            throw new IllegalArgumentException("acceptBacklog must be >= 1, was " + acceptBacklog);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects settings; {@link #build()} validates them. */
    public static final class Builder {
        private int lowWaterMark = 32 * 1024;
        private int highWaterMark = 64 * 1024;
        private Duration idleTimeout = Duration.ZERO;
        private Duration connectTimeout = Duration.ofSeconds(3);
        private int maxConnections;
        private boolean tcpNoDelay = true;
        private int receiveBufferSize;
        private int sendBufferSize;
        private int acceptBacklog = 1024;
        private int maxConnectionsPerAddress;
        private int maxAcceptsPerSecond;

        private Builder() {
        }

        public Builder waterMarks(int low, int high) {
            this.lowWaterMark = low;
            this.highWaterMark = high;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder tcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return this;
        }

        public Builder socketBuffers(int receiveBufferSize, int sendBufferSize) {
            this.receiveBufferSize = receiveBufferSize;
            this.sendBufferSize = sendBufferSize;
            return this;
        }

        public Builder acceptBacklog(int acceptBacklog) {
            this.acceptBacklog = acceptBacklog;
            return this;
        }

        public Builder maxConnectionsPerAddress(int maxConnectionsPerAddress) {
            this.maxConnectionsPerAddress = maxConnectionsPerAddress;
            return this;
        }

        public Builder maxAcceptsPerSecond(int maxAcceptsPerSecond) {
            this.maxAcceptsPerSecond = maxAcceptsPerSecond;
            return this;
        }

        public TransportConfig build() {
            return new TransportConfig(lowWaterMark, highWaterMark, idleTimeout, connectTimeout, maxConnections,
                    tcpNoDelay, receiveBufferSize, sendBufferSize, acceptBacklog, maxConnectionsPerAddress,
                    maxAcceptsPerSecond);
        }
    }
}
