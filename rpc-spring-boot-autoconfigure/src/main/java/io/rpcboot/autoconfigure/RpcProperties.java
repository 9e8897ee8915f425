package io.rpcboot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.rpcboot.core.server.ExecutionMode;
import io.rpcboot.core.server.ServerConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.event.Level;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * rpc-boot's settings, bound from {@code rpc.*}. Mapped to the core's immutable configurations in
 * one place ({@link RpcConfigurations}), where invalid values stop startup naming the property.
 */
@ConfigurationProperties("rpc")
public class RpcProperties {

    /** Serialization used by references unless they say otherwise: binary or json. */
    private String serialization = "binary";

    /**
     * Extra types the decoders may instantiate when a value is declared as an interface, an abstract
     * class or Object (fully qualified class names). Types reachable from service signatures are
     * allowed already.
     */
    private List<String> allowedTypes = new ArrayList<>();

    private final Server server = new Server();
    private final Client client = new Client();
    private final Registry registry = new Registry();
    private final BufferPool bufferPool = new BufferPool();
    private final Observation observation = new Observation();

    public String getSerialization() {
        return serialization;
    }

    public void setSerialization(String serialization) {
        this.serialization = serialization;
    }

    public List<String> getAllowedTypes() {
        return allowedTypes;
    }

    public void setAllowedTypes(List<String> allowedTypes) {
        this.allowedTypes = allowedTypes;
    }

    public Server getServer() {
        return server;
    }

    public Client getClient() {
        return client;
    }

    public Registry getRegistry() {
        return registry;
    }

    public BufferPool getBufferPool() {
        return bufferPool;
    }

    public Observation getObservation() {
        return observation;
    }

    /** Calls as Micrometer observations (tracing), when the application has an ObservationRegistry. */
    public static class Observation {

        /**
         * When client and server calls are Micrometer observations: auto (when a Micrometer Tracing
         * Tracer bean exists: spans and trace propagation), always, or never.
         */
        private ObservationMode mode = ObservationMode.AUTO;

        public ObservationMode getMode() {
            return mode;
        }

        public void setMode(ObservationMode mode) {
            this.mode = mode;
        }
    }

    /**
     * When calls are observations. Without a tracer an observation only feeds meters that the request
     * timers already provide, at about half the throughput of a small call (docs/benchmarks.md), so
     * {@code auto} observes only when Micrometer Tracing is set up.
     */
    public enum ObservationMode {
        /** When a Micrometer Tracing {@code Tracer} bean exists. */
        AUTO,
        /** Whenever an ObservationRegistry exists (e.g. for handlers of the application's own). */
        ALWAYS,
        /** Never. */
        NEVER
    }

    /** The server that publishes {@code @RpcProvider} beans. */
    public static class Server {

        /**
         * Whether to run the rpc server. Unset: it listens when the application has @RpcProvider
         * beans, and not otherwise (a consumer-only application opens no port). true: it always
         * listens. false: there is no server at all.
         */
        private @Nullable Boolean enabled;

        /** TLS for every connection to this server, from a Spring Boot SSL bundle. */
        @NestedConfigurationProperty
        private final RpcServerSslProperties ssl = new RpcServerSslProperties();

        /** Who may call this server: bearer tokens, client certificates. */
        @NestedConfigurationProperty
        private final RpcServerAuthProperties auth = new RpcServerAuthProperties();

        /** HTTP/JSON on the rpc port: the first bytes of a connection choose frames or HTTP. */
        private final Http http = new Http();

        /** One-way calls as UDP datagrams on the rpc port's number. */
        private final Udp udp = new Udp();

        public Udp getUdp() {
            return udp;
        }

        public RpcServerSslProperties getSsl() {
            return ssl;
        }

        public Http getHttp() {
            return http;
        }

        public RpcServerAuthProperties getAuth() {
            return auth;
        }

        /** Address to bind; 0.0.0.0 listens on every interface. */
        private String host = "0.0.0.0";

        /** Port to bind; 0 picks a free port. */
        private int port = 7070;

        /**
         * Host announced to the registry, i.e. what consumers connect to. Empty means the bind host,
         * or 127.0.0.1 when binding 0.0.0.0.
         */
        private String advertisedHost = "";

        /** Event loops that read and write connections; 0 means one per processor. */
        private int ioThreads = 0;

        /** Threads that run provider methods on the worker pool (execution-mode adaptive or pool); started as needed. */
        private int workerThreads = 200;

        /** Requests that may wait for a worker thread before the server answers "overloaded". */
        private int queueCapacity = 1000;

        /**
         * Whether provider methods on the worker pool run on virtual threads (Java 21 or later): one per
         * call, at most worker-threads running and queue-capacity waiting, as on platform threads. Unset:
         * as spring.threads.virtual.enabled.
         */
        private @Nullable Boolean virtualThreads;

        /**
         * Where provider methods run: adaptive (the worker pool, and the I/O loop for a method whose
         * runs neither work 2 ms nor block 200 µs), pool (always the bounded worker pool) or direct (always the I/O loop,
         * for code that never blocks). Per service or method under services.[interface].execution.
         */
        private ExecutionMode executionMode = ExecutionMode.ADAPTIVE;

        /** Largest frame accepted or sent. */
        private DataSize maxFrameSize = DataSize.ofMegabytes(16);

        /** Connections silent for this long are closed (clients send heartbeats meanwhile). */
        private Duration idleTimeout = Duration.ofSeconds(60);

        /** On shutdown, how long to wait for calls in flight after telling clients to go elsewhere. */
        private Duration drainTimeout = Duration.ofSeconds(10);

        /** Whether responses carry a CRC32C checksum. */
        private boolean checksum = false;

        /** Response bodies at least this large are compressed; 0 disables compression. */
        private DataSize compressionThreshold = DataSize.ofBytes(0);

        /** What one client may make the server hold or do (docs/security.md explains each limit). */
        private final ServerLimits limits = new ServerLimits();

        /**
         * Level at which an exception a provider method did not declare is logged, with its stack
         * trace (at most once per method every 10 seconds); declared exceptions are logged at DEBUG.
         */
        private Level errorLogLevel = Level.WARN;

        /**
         * Whether a provider exception sent to the caller as itself (declared by the method, or named
         * by rpc.allowed-types) carries its stack frames. Off: frames describe the provider's code.
         */
        private boolean sendStackTraces = false;

        /**
         * How consumers reach this server: tcp (host and port), or in-process (this JVM only, a
         * Unix-domain socket, no TCP port: what @AutoConfigureRpc and @RpcProviderTest use in tests).
         */
        private ServerConfig.Transport transport = ServerConfig.Transport.TCP;

        /**
         * Limits per provided service interface, keyed by its fully qualified name, e.g.
         * rpc.server.services.[com.example.OrderService].rate-limit=500, and per method under
         * .methods.[name] (an overloaded name with its parameter types). A call past a limit is
         * answered OVERLOADED without running; consumers send it to another instance. Also where
         * the service's or method's calls run (.execution, overriding execution-mode).
         */
        private Map<String, ProvidedService> services = new LinkedHashMap<>();

        /**
         * An adaptive limit on each provided method's calls running at once: it follows the method's
         * run time, and past it a call is answered OVERLOADED at once instead of waiting.
         */
        private final ConcurrencyLimit concurrencyLimit = new ConcurrencyLimit();

        public ConcurrencyLimit getConcurrencyLimit() {
            return concurrencyLimit;
        }

        public Map<String, ProvidedService> getServices() {
            return services;
        }

        public void setServices(Map<String, ProvidedService> services) {
            this.services = services;
        }

        public ServerConfig.Transport getTransport() {
            return transport;
        }

        public void setTransport(ServerConfig.Transport transport) {
            this.transport = transport;
        }

        public boolean isSendStackTraces() {
            return sendStackTraces;
        }

        public void setSendStackTraces(boolean sendStackTraces) {
            this.sendStackTraces = sendStackTraces;
        }

        public ServerLimits getLimits() {
            return limits;
        }

        public Level getErrorLogLevel() {
            return errorLogLevel;
        }

        public void setErrorLogLevel(Level errorLogLevel) {
            this.errorLogLevel = errorLogLevel;
        }

        public @Nullable Boolean getEnabled() {
            return enabled;
        }

        public void setEnabled(@Nullable Boolean enabled) {
            this.enabled = enabled;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getAdvertisedHost() {
            return advertisedHost;
        }

        public void setAdvertisedHost(String advertisedHost) {
            this.advertisedHost = advertisedHost;
        }

        public int getIoThreads() {
            return ioThreads;
        }

        public void setIoThreads(int ioThreads) {
            this.ioThreads = ioThreads;
        }

        public int getWorkerThreads() {
            return workerThreads;
        }

        public void setWorkerThreads(int workerThreads) {
            this.workerThreads = workerThreads;
        }

        public @Nullable Boolean getVirtualThreads() {
            return virtualThreads;
        }

        public void setVirtualThreads(@Nullable Boolean virtualThreads) {
            this.virtualThreads = virtualThreads;
        }

        public int getQueueCapacity() {
            return queueCapacity;
        }

        public void setQueueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
        }

        public ExecutionMode getExecutionMode() {
            return executionMode;
        }

        public void setExecutionMode(ExecutionMode executionMode) {
            this.executionMode = executionMode;
        }

        public DataSize getMaxFrameSize() {
            return maxFrameSize;
        }

        public void setMaxFrameSize(DataSize maxFrameSize) {
            this.maxFrameSize = maxFrameSize;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public Duration getDrainTimeout() {
            return drainTimeout;
        }

        public void setDrainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
        }

        public boolean isChecksum() {
            return checksum;
        }

        public void setChecksum(boolean checksum) {
            this.checksum = checksum;
        }

        public DataSize getCompressionThreshold() {
            return compressionThreshold;
        }

        public void setCompressionThreshold(DataSize compressionThreshold) {
            this.compressionThreshold = compressionThreshold;
        }
    }

    /** The client behind {@code @RpcReference} fields; these are every reference's defaults. */
    public static class Client {

        /** Deadline of a call, unless the reference sets its own. */
        private Duration timeout = Duration.ofSeconds(3);

        /**
         * TLS for every connection to providers, from a Spring Boot SSL bundle (a reference may name its
         * own with @RpcReference(sslBundle)). With a bundle, the client speaks only TLS.
         */
        @NestedConfigurationProperty
        private final RpcClientSslProperties ssl = new RpcClientSslProperties();

        /** Bearer token sent with every call (a BearerTokenInterceptor bean replaces it, e.g. to refresh tokens). */
        private String authToken = "";

        public RpcClientSslProperties getSsl() {
            return ssl;
        }

        public String getAuthToken() {
            return authToken;
        }

        public void setAuthToken(String authToken) {
            this.authToken = authToken;
        }

        /** How long opening a connection to a provider may take. */
        private Duration connectTimeout = Duration.ofSeconds(3);

        /** Connections kept to each provider address; calls are multiplexed on them. */
        private int connectionsPerEndpoint = 2;

        /** Calls in flight on one connection before further calls wait for a free slot. */
        private int maxInFlightPerConnection = 1000;

        /** Largest frame accepted from a provider or sent to one. */
        private DataSize maxFrameSize = DataSize.ofMegabytes(16);

        /** What one provider may make this client hold or do (docs/security.md explains each limit). */
        private final ClientLimits limits = new ClientLimits();

        public DataSize getMaxFrameSize() {
            return maxFrameSize;
        }

        public void setMaxFrameSize(DataSize maxFrameSize) {
            this.maxFrameSize = maxFrameSize;
        }

        public ClientLimits getLimits() {
            return limits;
        }

        /** A quiet connection sends a heartbeat this often; a missed reply closes it. 0 disables heartbeats. */
        private Duration heartbeatInterval = Duration.ofSeconds(15);

        /** Connections without calls for this long are closed; 0 keeps them. */
        private Duration idleConnectionTimeout = Duration.ofMinutes(5);

        /** Retries of calls that may have run, for references marked idempotent. */
        private int retries = 0;

        /** Balancer used unless a reference names another: round-robin, weighted, random, least-active, consistent-hash, p2c. */
        private String loadBalancer = "round-robin";

        /** Event loops of the client; 0 means one per processor. */
        private int ioThreads = 0;

        /**
         * Metadata every call carries (string keys and values; keys lowercase a-z 0-9 - _ .); a
         * reference's {@code @RpcReference(metadata)} and the call's own win.
         */
        private Map<String, String> metadata = new LinkedHashMap<>();

        /** Keys of the metadata of a call being served that calls made while serving it carry on. */
        private List<String> propagatedMetadata = new ArrayList<>();

        /**
         * Settings per service interface, keyed by its fully qualified name, e.g.
         * rpc.client.services.[com.example.OrderService].timeout=2s, and per method under
         * .methods.[name] (an overloaded name with its parameter types, e.g. [find(long)], as the
         * meters' method tag names it). A method's properties win over its @RpcMethodOptions, which
         * wins over the service's properties, which win over the reference's annotation. A service
         * also takes .fallback (a bean's name) and .circuit-breaker.*, a method .circuit-breaker.*
         * (a breaker of its own) and .one-way=true (a void method sent fire-and-forget, by UDP to
         * providers that take it).
         */
        private Map<String, ServiceSettings> services = new LinkedHashMap<>();

        /**
         * How many retries this client may send in all, whatever the references allow: a fraction of
         * its calls plus a few a second, so that retries cannot multiply the load during an incident.
         */
        private final RetryBudget retryBudget = new RetryBudget();

        public RetryBudget getRetryBudget() {
            return retryBudget;
        }

        /** When a provider address that keeps failing is left out for a while. */
        private final OutlierDetection outlierDetection = new OutlierDetection();

        public OutlierDetection getOutlierDetection() {
            return outlierDetection;
        }

        /**
         * Circuit breakers (Resilience4j's) in front of references: the defaults of every breaker;
         * rpc.client.services.[interface].circuit-breaker.* and .methods.[key].circuit-breaker.*
         * override them for one service or give one method its own breaker.
         */
        @NestedConfigurationProperty
        private final CircuitBreaker circuitBreaker = new CircuitBreaker();

        public CircuitBreaker getCircuitBreaker() {
            return circuitBreaker;
        }

        public Map<String, ServiceSettings> getServices() {
            return services;
        }

        public void setServices(Map<String, ServiceSettings> services) {
            this.services = services;
        }

        public Map<String, String> getMetadata() {
            return metadata;
        }

        public void setMetadata(Map<String, String> metadata) {
            this.metadata = metadata;
        }

        public List<String> getPropagatedMetadata() {
            return propagatedMetadata;
        }

        public void setPropagatedMetadata(List<String> propagatedMetadata) {
            this.propagatedMetadata = propagatedMetadata;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public int getConnectionsPerEndpoint() {
            return connectionsPerEndpoint;
        }

        public void setConnectionsPerEndpoint(int connectionsPerEndpoint) {
            this.connectionsPerEndpoint = connectionsPerEndpoint;
        }

        public int getMaxInFlightPerConnection() {
            return maxInFlightPerConnection;
        }

        public void setMaxInFlightPerConnection(int maxInFlightPerConnection) {
            this.maxInFlightPerConnection = maxInFlightPerConnection;
        }

        public Duration getHeartbeatInterval() {
            return heartbeatInterval;
        }

        public void setHeartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
        }

        public Duration getIdleConnectionTimeout() {
            return idleConnectionTimeout;
        }

        public void setIdleConnectionTimeout(Duration idleConnectionTimeout) {
            this.idleConnectionTimeout = idleConnectionTimeout;
        }

        public int getRetries() {
            return retries;
        }

        public void setRetries(int retries) {
            this.retries = retries;
        }

        public String getLoadBalancer() {
            return loadBalancer;
        }

        public void setLoadBalancer(String loadBalancer) {
            this.loadBalancer = loadBalancer;
        }

        public int getIoThreads() {
            return ioThreads;
        }

        public void setIoThreads(int ioThreads) {
            this.ioThreads = ioThreads;
        }
    }

    /** The server's adaptive concurrency limit, one per provided method. */
    public static class ConcurrencyLimit {

        /** Whether each provided method's calls running at once are limited, adaptively. */
        private boolean enabled = false;

        /** The limit each method starts from. */
        private int initial = 20;

        /** The limit never goes below this. */
        private int min = 4;

        /** The limit never goes above this. */
        private int max = 1000;

        /**
         * How much slower than the method's uncongested run time recent calls may be before the limit
         * shrinks (1.25: 25% slower); the limit grows only while they are within half of that.
         */
        private double tolerance = 1.25;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getInitial() {
            return initial;
        }

        public void setInitial(int initial) {
            this.initial = initial;
        }

        public int getMin() {
            return min;
        }

        public void setMin(int min) {
            this.min = min;
        }

        public int getMax() {
            return max;
        }

        public void setMax(int max) {
            this.max = max;
        }

        public double getTolerance() {
            return tolerance;
        }

        public void setTolerance(double tolerance) {
            this.tolerance = tolerance;
        }
    }

    /** HTTP/JSON on the server's port. */
    public static class Http {

        /**
         * Whether the rpc port also answers HTTP/1.1: POST /{service}/{method} with a JSON body, and
         * the list of services at GET /. The same TLS, authentication, limits and interceptors as
         * rpc-boot clients get apply. Needs Jackson 3 on the class path.
         */
        private boolean enabled = true;

        /** Bytes an HTTP request's line and header fields may take together; more is answered 431. */
        private DataSize maxHeaderSize = DataSize.ofKilobytes(8);

        /** Header fields an HTTP request may have (and trailer fields a chunked body); more is answered 431. */
        private int maxHeaderFields = 100;

        /**
         * Bytes of pipelined HTTP requests held, already read, while the one before them is served;
         * more is answered 431.
         */
        private DataSize maxPipelinedSize = DataSize.ofMegabytes(1);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public DataSize getMaxHeaderSize() {
            return maxHeaderSize;
        }

        public void setMaxHeaderSize(DataSize maxHeaderSize) {
            this.maxHeaderSize = maxHeaderSize;
        }

        public int getMaxHeaderFields() {
            return maxHeaderFields;
        }

        public void setMaxHeaderFields(int maxHeaderFields) {
            this.maxHeaderFields = maxHeaderFields;
        }

        public DataSize getMaxPipelinedSize() {
            return maxPipelinedSize;
        }

        public void setMaxPipelinedSize(DataSize maxPipelinedSize) {
            this.maxPipelinedSize = maxPipelinedSize;
        }
    }

    /** One-way calls over UDP. */
    public static class Udp {

        /**
         * Whether the server also takes one-way calls as UDP datagrams, on the port number of
         * rpc.server.port: one datagram per call, no answer, no delivery guarantee. Off by default;
         * refused when the server requires TLS or authentication (datagrams carry neither).
         */
        private boolean enabled = false;

        /** Largest datagram taken; larger ones are dropped and counted. Announced to consumers. */
        private DataSize maxDatagramSize = DataSize.ofKilobytes(8);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public DataSize getMaxDatagramSize() {
            return maxDatagramSize;
        }

        public void setMaxDatagramSize(DataSize maxDatagramSize) {
            this.maxDatagramSize = maxDatagramSize;
        }
    }

    /** Limits of one provided method, and where it runs. */
    public static class ProvidedMethod {

        /** Calls a second this method serves at most (bursts of a tenth of a second's worth); unset: no limit. */
        private @Nullable Double rateLimit;

        public @Nullable Double getRateLimit() {
            return rateLimit;
        }

        public void setRateLimit(@Nullable Double rateLimit) {
            this.rateLimit = rateLimit;
        }

        /**
         * Where these calls run (adaptive, pool or direct); unset: the service's setting, then the
         * provider's @RpcExecution, then execution-mode.
         */
        private @Nullable ExecutionMode execution;

        public @Nullable ExecutionMode getExecution() {
            return execution;
        }

        public void setExecution(@Nullable ExecutionMode execution) {
            this.execution = execution;
        }
    }

    /** Limits of one provided service, and of its methods. */
    public static class ProvidedService extends ProvidedMethod {

        /** Limits per method, by method name (an overloaded name with its parameter types). */
        private Map<String, ProvidedMethod> methods = new LinkedHashMap<>();

        public Map<String, ProvidedMethod> getMethods() {
            return methods;
        }

        public void setMethods(Map<String, ProvidedMethod> methods) {
            this.methods = methods;
        }
    }

    /** The client's outlier detection: addresses that keep failing are left out for a while. */
    public static class OutlierDetection {

        /**
         * Failures in a row at one address (connection refused or lost, a try timed out, an INTERNAL
         * answer) that eject it; 0 turns ejection off.
         */
        private int consecutiveFailures = 5;

        /** How long an address is first left out; twice as long each time it is ejected again. */
        private Duration baseEjection = Duration.ofSeconds(30);

        /** The longest an address is left out. */
        private Duration maxEjection = Duration.ofMinutes(5);

        /**
         * At most this share of a reference's instances is left out (never its last one): 67 lets
         * two bad instances of three go, and keeps a third of the instances in when a problem they
         * all share makes every one fail.
         */
        private int maxEjectedPercent = 67;

        /**
         * Share of failed tries at one address, in percent, that ejects it (once it had
         * failure-rate-minimum-calls tries within failure-rate-interval); 0 turns this rule off.
         */
        private int failureRatePercent = 50;

        /** Tries an address must have had within the interval before its failure rate counts. */
        private int failureRateMinimumCalls = 20;

        /** How far back the failure rate looks. */
        private Duration failureRateInterval = Duration.ofSeconds(10);

        /**
         * How long a returning address (its ejection over and a probe answered, or reachable again),
         * or one that joins running ones, takes to grow from 10% to its full share of calls; 0 turns
         * slow start off.
         */
        private Duration slowStart = Duration.ofSeconds(30);

        public int getFailureRatePercent() {
            return failureRatePercent;
        }

        public void setFailureRatePercent(int failureRatePercent) {
            this.failureRatePercent = failureRatePercent;
        }

        public int getFailureRateMinimumCalls() {
            return failureRateMinimumCalls;
        }

        public void setFailureRateMinimumCalls(int failureRateMinimumCalls) {
            this.failureRateMinimumCalls = failureRateMinimumCalls;
        }

        public Duration getFailureRateInterval() {
            return failureRateInterval;
        }

        public void setFailureRateInterval(Duration failureRateInterval) {
            this.failureRateInterval = failureRateInterval;
        }

        public Duration getSlowStart() {
            return slowStart;
        }

        public void setSlowStart(Duration slowStart) {
            this.slowStart = slowStart;
        }

        public int getConsecutiveFailures() {
            return consecutiveFailures;
        }

        public void setConsecutiveFailures(int consecutiveFailures) {
            this.consecutiveFailures = consecutiveFailures;
        }

        public Duration getBaseEjection() {
            return baseEjection;
        }

        public void setBaseEjection(Duration baseEjection) {
            this.baseEjection = baseEjection;
        }

        public Duration getMaxEjection() {
            return maxEjection;
        }

        public void setMaxEjection(Duration maxEjection) {
            this.maxEjection = maxEjection;
        }

        public int getMaxEjectedPercent() {
            return maxEjectedPercent;
        }

        public void setMaxEjectedPercent(int maxEjectedPercent) {
            this.maxEjectedPercent = maxEjectedPercent;
        }
    }

    /** The client's retry budget: retries of calls that may have run and of calls refused without running. */
    public static class RetryBudget {

        /** Retries allowed per call of the window, 0..1 (0.2: one retry for every five calls). */
        private double ratio = 0.2;

        /** Retries a second allowed on top of the ratio, so that a quiet client can still retry. */
        private int minPerSecond = 10;

        /** How far back calls and retries are counted (whole seconds, 1s to 10m). */
        private Duration window = Duration.ofSeconds(10);

        public double getRatio() {
            return ratio;
        }

        public void setRatio(double ratio) {
            this.ratio = ratio;
        }

        public int getMinPerSecond() {
            return minPerSecond;
        }

        public void setMinPerSecond(int minPerSecond) {
            this.minPerSecond = minPerSecond;
        }

        public Duration getWindow() {
            return window;
        }

        public void setWindow(Duration window) {
            this.window = window;
        }
    }

    /**
     * A circuit breaker's settings. At the client level each has a default; at a service or method
     * level an unset value is taken from the level below.
     */
    public static class CircuitBreaker {

        /**
         * Whether calls pass a breaker: off by default (outlier ejection already moves calls off a
         * failing instance; a breaker stops calls to a service all of whose instances fail).
         */
        private @Nullable Boolean enabled;

        /** Share of failed calls, in percent, that opens the breaker (timeouts, no instance, lost connections, INTERNAL, OVERLOADED; not a provider's own exceptions). */
        private @Nullable Float failureRateThreshold;

        /** Calls the failure rate is computed over (the last N calls). */
        private @Nullable Integer slidingWindowSize;

        /** Calls needed before the failure rate counts. */
        private @Nullable Integer minimumNumberOfCalls;

        /** How long the breaker stays open before it lets trial calls through. */
        private @Nullable Duration waitDurationInOpenState;

        /** Trial calls let through while half-open; all must do well for the breaker to close. */
        private @Nullable Integer permittedNumberOfCallsInHalfOpenState;

        /** A call slower than this counts as slow. */
        private @Nullable Duration slowCallDurationThreshold;

        /** Share of slow calls, in percent, that opens the breaker. */
        private @Nullable Float slowCallRateThreshold;

        public @Nullable Boolean getEnabled() {
            return enabled;
        }

        public void setEnabled(@Nullable Boolean enabled) {
            this.enabled = enabled;
        }

        public @Nullable Float getFailureRateThreshold() {
            return failureRateThreshold;
        }

        public void setFailureRateThreshold(@Nullable Float failureRateThreshold) {
            this.failureRateThreshold = failureRateThreshold;
        }

        public @Nullable Integer getSlidingWindowSize() {
            return slidingWindowSize;
        }

        public void setSlidingWindowSize(@Nullable Integer slidingWindowSize) {
            this.slidingWindowSize = slidingWindowSize;
        }

        public @Nullable Integer getMinimumNumberOfCalls() {
            return minimumNumberOfCalls;
        }

        public void setMinimumNumberOfCalls(@Nullable Integer minimumNumberOfCalls) {
            this.minimumNumberOfCalls = minimumNumberOfCalls;
        }

        public @Nullable Duration getWaitDurationInOpenState() {
            return waitDurationInOpenState;
        }

        public void setWaitDurationInOpenState(@Nullable Duration waitDurationInOpenState) {
            this.waitDurationInOpenState = waitDurationInOpenState;
        }

        public @Nullable Integer getPermittedNumberOfCallsInHalfOpenState() {
            return permittedNumberOfCallsInHalfOpenState;
        }

        public void setPermittedNumberOfCallsInHalfOpenState(@Nullable Integer permittedNumberOfCallsInHalfOpenState) {
            this.permittedNumberOfCallsInHalfOpenState = permittedNumberOfCallsInHalfOpenState;
        }

        public @Nullable Duration getSlowCallDurationThreshold() {
            return slowCallDurationThreshold;
        }

        public void setSlowCallDurationThreshold(@Nullable Duration slowCallDurationThreshold) {
            this.slowCallDurationThreshold = slowCallDurationThreshold;
        }

        public @Nullable Float getSlowCallRateThreshold() {
            return slowCallRateThreshold;
        }

        public void setSlowCallRateThreshold(@Nullable Float slowCallRateThreshold) {
            this.slowCallRateThreshold = slowCallRateThreshold;
        }

        /** Whether any setting is made here. */
        boolean isSet() {
            return enabled != null || failureRateThreshold != null || slidingWindowSize != null
                    || minimumNumberOfCalls != null || waitDurationInOpenState != null
                    || permittedNumberOfCallsInHalfOpenState != null || slowCallDurationThreshold != null
                    || slowCallRateThreshold != null;
        }
    }

    /** How a consumer calls one method; unset values come from the levels below (see rpc.client.services). */
    public static class MethodSettings {

        /**
         * A circuit breaker for this level: at a service, it overrides rpc.client.circuit-breaker.*;
         * at a method, any setting here gives the method a breaker of its own, and enabled=false
         * takes the method out of its service's breaker.
         */
        @NestedConfigurationProperty
        private final CircuitBreaker circuitBreaker = new CircuitBreaker();

        public CircuitBreaker getCircuitBreaker() {
            return circuitBreaker;
        }

        /** Deadline of each call. */
        private @Nullable Duration timeout;

        /** Whether running the method twice is harmless, which allows retrying calls that may have run. */
        private @Nullable Boolean idempotent;

        /** Retries of calls that may have run (only when idempotent). */
        private @Nullable Integer retries;

        public @Nullable Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(@Nullable Duration timeout) {
            this.timeout = timeout;
        }

        public @Nullable Boolean getIdempotent() {
            return idempotent;
        }

        public void setIdempotent(@Nullable Boolean idempotent) {
            this.idempotent = idempotent;
        }

        public @Nullable Integer getRetries() {
            return retries;
        }

        public void setRetries(@Nullable Integer retries) {
            this.retries = retries;
        }
    }

    /** How a consumer calls one service interface, and its methods. */
    public static class ServiceSettings extends MethodSettings {

        /**
         * Name of a bean implementing the interface that answers calls the breaker refuses or that
         * fail to reach a provider; annotate it @RpcFallback so that it is not injected by type.
         */
        private @Nullable String fallback;

        public @Nullable String getFallback() {
            return fallback;
        }

        public void setFallback(@Nullable String fallback) {
            this.fallback = fallback;
        }

        /** Settings per method, by method name (an overloaded name with its parameter types). */
        private Map<String, ReferenceMethodSettings> methods = new LinkedHashMap<>();

        public Map<String, ReferenceMethodSettings> getMethods() {
            return methods;
        }

        public void setMethods(Map<String, ReferenceMethodSettings> methods) {
            this.methods = methods;
        }
    }

    /** One method of a reference: what a service's settings hold, and whether it is one-way. */
    public static class ReferenceMethodSettings extends MethodSettings {

        /**
         * For a void method: send each call fire-and-forget, as one UDP datagram to a provider that
         * takes them (rpc.server.udp.enabled), with no answer and no delivery guarantee; to any other
         * provider it is an ordinary call.
         */
        private @Nullable Boolean oneWay;

        public @Nullable Boolean getOneWay() {
            return oneWay;
        }

        public void setOneWay(@Nullable Boolean oneWay) {
            this.oneWay = oneWay;
        }
    }

    /** Service discovery. */
    public static class Registry {

        /** Registry implementation: memory (this process, plus static instances) or zookeeper. */
        private RegistryType type = RegistryType.MEMORY;

        /** Address of a distributed registry, e.g. a ZooKeeper connect string. */
        private String address = "";

        /**
         * Static provider addresses per service interface for the memory registry, e.g.
         * rpc.registry.instances.[com.example.Greeter]=127.0.0.1:7070,127.0.0.1:7071.
         */
        private Map<String, List<String>> instances = new LinkedHashMap<>();

        public RegistryType getType() {
            return type;
        }

        public void setType(RegistryType type) {
            this.type = type;
        }

        public String getAddress() {
            return address;
        }

        public void setAddress(String address) {
            this.address = address;
        }

        private final Zookeeper zookeeper = new Zookeeper();

        public Map<String, List<String>> getInstances() {
            return instances;
        }

        public void setInstances(Map<String, List<String>> instances) {
            this.instances = instances;
        }

        public Zookeeper getZookeeper() {
            return zookeeper;
        }
    }

    /** The registry implementations {@code rpc.registry.type} chooses from. */
    public enum RegistryType {
        /** This process's registry, plus the static {@code rpc.registry.instances}. */
        MEMORY,
        /** ZooKeeper through Apache Curator; needs the rpc-registry-zookeeper module. */
        ZOOKEEPER
    }

    /** The ZooKeeper registry (rpc.registry.type=zookeeper, module rpc-registry-zookeeper). */
    public static class Zookeeper {

        /** The znode under which every service is registered. */
        private String rootPath = "/rpc-boot";

        /** How long ZooKeeper keeps a silent application's registrations (its session). */
        private Duration sessionTimeout = Duration.ofSeconds(30);

        /** How long to wait for the first connection; startup fails after it. */
        private Duration connectionTimeout = Duration.ofSeconds(5);

        /** First pause of the exponential back-off between retries of a failed ZooKeeper operation. */
        private Duration retryBaseSleep = Duration.ofMillis(200);

        /** Retries of a failed ZooKeeper operation. */
        private int maxRetries = 5;

        /**
         * Digest identity of the providers; with it every registry node may be changed by this identity
         * only and read by anyone (consumers need none). Empty: no authentication, open nodes.
         */
        private String username = "";

        /** Password of the digest identity (keep it in an environment variable or a secret store). */
        private String password = "";

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public String getRootPath() {
            return rootPath;
        }

        public void setRootPath(String rootPath) {
            this.rootPath = rootPath;
        }

        public Duration getSessionTimeout() {
            return sessionTimeout;
        }

        public void setSessionTimeout(Duration sessionTimeout) {
            this.sessionTimeout = sessionTimeout;
        }

        public Duration getConnectionTimeout() {
            return connectionTimeout;
        }

        public void setConnectionTimeout(Duration connectionTimeout) {
            this.connectionTimeout = connectionTimeout;
        }

        public Duration getRetryBaseSleep() {
            return retryBaseSleep;
        }

        public void setRetryBaseSleep(Duration retryBaseSleep) {
            this.retryBaseSleep = retryBaseSleep;
        }

        public int getMaxRetries() {
            return maxRetries;
        }

        public void setMaxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
        }
    }

    /** What one peer may make this side hold or do on one connection; the defaults are safe on an open network. */
    public abstract static class Limits {

        /** Largest block of header entries in one frame; a larger one closes the connection. */
        private DataSize maxHeaderSize = DataSize.ofKilobytes(8);

        /** Most attachment entries in one frame; more close the connection. */
        private int maxAttachments = 64;

        /** A compressed body may inflate to at most this many times its size (plus 64 KiB), never past the frame limit. */
        private int maxInflateRatio = 100;

        /** A frame whose first byte arrived must be complete within this time, or the connection closes. */
        private Duration frameTimeout = Duration.ofSeconds(30);

        /** Heartbeats a peer may send per second on average (bursts of twice that); a faster peer is disconnected. */
        private int maxHeartbeatsPerSecond = 10;


        /** Queued outbound bytes past which the peer, which does not read, is disconnected. */
        private DataSize maxPendingWriteBytes = DataSize.ofMegabytes(64);

        /** Decoding a body may create at most this many bytes of objects per byte received (plus 64 KiB). */
        private int maxDecodeRatio = 32;

        public int getMaxDecodeRatio() {
            return maxDecodeRatio;
        }

        public void setMaxDecodeRatio(int maxDecodeRatio) {
            this.maxDecodeRatio = maxDecodeRatio;
        }

        public DataSize getMaxHeaderSize() {
            return maxHeaderSize;
        }

        public void setMaxHeaderSize(DataSize maxHeaderSize) {
            this.maxHeaderSize = maxHeaderSize;
        }

        public int getMaxAttachments() {
            return maxAttachments;
        }

        public void setMaxAttachments(int maxAttachments) {
            this.maxAttachments = maxAttachments;
        }

        public int getMaxInflateRatio() {
            return maxInflateRatio;
        }

        public void setMaxInflateRatio(int maxInflateRatio) {
            this.maxInflateRatio = maxInflateRatio;
        }

        public Duration getFrameTimeout() {
            return frameTimeout;
        }

        public void setFrameTimeout(Duration frameTimeout) {
            this.frameTimeout = frameTimeout;
        }

        public int getMaxHeartbeatsPerSecond() {
            return maxHeartbeatsPerSecond;
        }

        public void setMaxHeartbeatsPerSecond(int maxHeartbeatsPerSecond) {
            this.maxHeartbeatsPerSecond = maxHeartbeatsPerSecond;
        }

        /** Queued outbound bytes below which this side goes on (reading, or sending calls) again. */
        public abstract DataSize getLowWaterMark();

        /** Queued outbound bytes above which this side stops reading (server) or sending calls (client). */
        public abstract DataSize getHighWaterMark();

        public DataSize getMaxPendingWriteBytes() {
            return maxPendingWriteBytes;
        }

        public void setMaxPendingWriteBytes(DataSize maxPendingWriteBytes) {
            this.maxPendingWriteBytes = maxPendingWriteBytes;
        }
    }

    /** The client's limits: those of every peer, with water marks for calls sent on one connection. */
    public static class ClientLimits extends Limits {

        /** Queued outbound bytes below which calls waiting for a connection are sent again. */
        private DataSize lowWaterMark = DataSize.ofKilobytes(512);

        /** Queued outbound bytes above which new calls on a connection wait, unsent, within their deadline (a provider that does not read cannot make this client queue more). */
        private DataSize highWaterMark = DataSize.ofMegabytes(1);

        @Override
        public DataSize getLowWaterMark() {
            return lowWaterMark;
        }

        public void setLowWaterMark(DataSize lowWaterMark) {
            this.lowWaterMark = lowWaterMark;
        }

        @Override
        public DataSize getHighWaterMark() {
            return highWaterMark;
        }

        public void setHighWaterMark(DataSize highWaterMark) {
            this.highWaterMark = highWaterMark;
        }
    }

    /** The server's limits: those of every peer, and those on connections and calls. */
    public static class ServerLimits extends Limits {

        /** Queued outbound bytes below which a paused connection is read from again. */
        private DataSize lowWaterMark = DataSize.ofKilobytes(32);

        /** Queued outbound bytes above which a server stops reading that client's requests until it catches up. */
        private DataSize highWaterMark = DataSize.ofKilobytes(64);

        @Override
        public DataSize getLowWaterMark() {
            return lowWaterMark;
        }

        public void setLowWaterMark(DataSize lowWaterMark) {
            this.lowWaterMark = lowWaterMark;
        }

        @Override
        public DataSize getHighWaterMark() {
            return highWaterMark;
        }

        public void setHighWaterMark(DataSize highWaterMark) {
            this.highWaterMark = highWaterMark;
        }

        /** Client connections open at once; more are closed as they are accepted. */
        private int maxConnections = 2048;

        /** Client connections one address may keep open at once. */
        private int maxConnectionsPerAddress = 256;

        /** New connections accepted per second (bursts of one second's worth); more are closed at once. */
        private int maxAcceptsPerSecond = 1000;

        /** A connection this old is asked to move on (draining), then closed; 0 means no limit. */
        private Duration maxConnectionAge = Duration.ZERO;

        /** Calls one connection may have in flight; more are answered RESOURCE_EXHAUSTED without running. */
        private int maxConcurrentCallsPerConnection = 1000;

        public int getMaxConnections() {
            return maxConnections;
        }

        public void setMaxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
        }

        public int getMaxConnectionsPerAddress() {
            return maxConnectionsPerAddress;
        }

        public void setMaxConnectionsPerAddress(int maxConnectionsPerAddress) {
            this.maxConnectionsPerAddress = maxConnectionsPerAddress;
        }

        public int getMaxAcceptsPerSecond() {
            return maxAcceptsPerSecond;
        }

        public void setMaxAcceptsPerSecond(int maxAcceptsPerSecond) {
            this.maxAcceptsPerSecond = maxAcceptsPerSecond;
        }

        public Duration getMaxConnectionAge() {
            return maxConnectionAge;
        }

        public void setMaxConnectionAge(Duration maxConnectionAge) {
            this.maxConnectionAge = maxConnectionAge;
        }

        public int getMaxConcurrentCallsPerConnection() {
            return maxConcurrentCallsPerConnection;
        }

        public void setMaxConcurrentCallsPerConnection(int maxConcurrentCallsPerConnection) {
            this.maxConcurrentCallsPerConnection = maxConcurrentCallsPerConnection;
        }
    }

    /** The pool of network buffers. */
    public static class BufferPool {

        /** Memory the pool may keep for reuse; larger demand is served by one-off buffers. */
        private DataSize maxPooled = DataSize.ofMegabytes(64);

        /** Largest buffer served from the pool (a power of two). */
        private DataSize maxBufferSize = DataSize.ofKilobytes(64);

        /** Whether pooled buffers live outside the heap. */
        private boolean direct = true;

        public DataSize getMaxPooled() {
            return maxPooled;
        }

        public void setMaxPooled(DataSize maxPooled) {
            this.maxPooled = maxPooled;
        }

        public DataSize getMaxBufferSize() {
            return maxBufferSize;
        }

        public void setMaxBufferSize(DataSize maxBufferSize) {
            this.maxBufferSize = maxBufferSize;
        }

        public boolean isDirect() {
            return direct;
        }

        public void setDirect(boolean direct) {
            this.direct = direct;
        }
    }
}
