package io.rpcboot.core.server;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import io.rpcboot.core.PeerLimits;
import io.rpcboot.core.RpcMethod;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcStatusException;
import io.rpcboot.core.intercept.ServerCall;
import io.rpcboot.core.internal.buffer.PooledBuffer;
import io.rpcboot.core.internal.http.HttpParseException;
import io.rpcboot.core.internal.http.HttpRequest;
import io.rpcboot.core.internal.metrics.Meters;
import io.rpcboot.core.internal.protocol.ErrorBody;
import io.rpcboot.core.internal.protocol.Frame;
import io.rpcboot.core.internal.protocol.FrameBuilder;
import io.rpcboot.core.internal.protocol.FrameCodec;
import io.rpcboot.core.internal.protocol.FrameDecoder;
import io.rpcboot.core.internal.protocol.FrameTooLargeException;
import io.rpcboot.core.internal.protocol.FrameType;
import io.rpcboot.core.internal.protocol.Headers;
import io.rpcboot.core.internal.protocol.PeerWarnings;
import io.rpcboot.core.internal.protocol.ProtocolException;
import io.rpcboot.core.internal.reactor.CallClock;
import io.rpcboot.core.internal.transport.Connection;
import io.rpcboot.core.metrics.Outcome;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.security.AuthenticationInterceptor;
import io.rpcboot.core.serialize.BinaryReader;
import io.rpcboot.core.serialize.JsonSerialization;
import io.rpcboot.core.tls.TlsPeer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP/JSON on the rpc port: what an HTTP request means, and what its answer says.
 *
 * <pre>
 *  POST /{service}/{method}   JSON body: [arguments by position] or {arguments by parameter name}
 *       ─► checks (content type, JSON shape) ─► a request frame (the json serialization) ─► the dispatcher,
 *          as for a binary client: limits, interceptors, authentication, metrics, draining
 *       ◄── response frame ─► 200 JSON result | 204 (void) | error status + JSON {status, type, message}
 *  GET /  (or /services)      the services and methods a caller may use; authenticated as calls are
 *  GET /openapi.json          the same as an OpenAPI 3.1 description
 * </pre>
 *
 * {@code {method}} is the method's {@link RpcMethod#key() key}: its name, or {@code name(Type,...)}
 * for an overloaded name. Request headers: {@code rpc-version} and {@code rpc-group} choose the
 * service, {@code rpc-timeout-ms} sets a deadline, {@code Authorization} and
 * {@code rpc-meta-<key>: value} are call metadata ({@code authorization}, {@code <key>}), as are
 * {@code traceparent}, {@code tracestate} and {@code baggage}. The JSON is read and written by the
 * {@code json} serialization's codecs, with its type allow-list; the body is limited by the frame limit.
 */
final class HttpGateway implements ServerProtocol {

    static final String JSON = "application/json";
    static final String METADATA_PREFIX = "rpc-meta-";
    /** The response header with the call's rpc status. */
    static final String RPC_STATUS = "rpc-status";
    private static final List<String> TRACE_HEADERS = List.of("traceparent", "tracestate", "baggage");
    /** The pseudo-service the listing is authenticated as: a call to it is what the authenticators see. */
    static final ServiceKey LISTING = new ServiceKey("rpc.http.Services", "", "");

    /** What the listing is, as a method, for the authenticators. */
    interface Listing {
        String services();
    }

    private static final RpcMethod LISTING_METHOD;

    static {
        try {
            LISTING_METHOD = new RpcMethod(LISTING.interfaceName(), Listing.class.getMethod("services"));
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ServiceTable services;
    private final RequestDispatcher dispatcher;
    /** Builds request frames: no compression, no checksum (they never leave this process). */
    private final FrameCodec requestCodec;
    private final PeerLimits limits;
    private final CallClock clock;
    private final JsonMapper mapper;
    private final List<AuthenticationInterceptor> authentication;
    private final PeerWarnings warnings;
    private final int maxHeaderBytes;
    private final int maxHeaderFields;
    private final int maxPipelinedBytes;
    private final int maxBodyBytes;
    private final Map<ServiceKey, Map<String, ProvidedMethod>> byKey = new ConcurrentHashMap<>();

    HttpGateway(ServiceTable services, RequestDispatcher dispatcher, FrameCodec codec, CallClock clock,
                List<AuthenticationInterceptor> authentication, PeerWarnings warnings, int maxHeaderBytes,
                int maxHeaderFields, int maxPipelinedBytes) {
        this.services = services;
        this.dispatcher = dispatcher;
        this.limits = codec.limits();
        this.requestCodec = new FrameCodec(codec.pool(), codec.maxFrameSize(), false, 0, codec.limits(),
                "rpc.server.max-frame-size");
        this.clock = clock;
        this.authentication = List.copyOf(authentication);
        this.warnings = warnings;
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxHeaderFields = maxHeaderFields;
        this.maxPipelinedBytes = maxPipelinedBytes;
        this.maxBodyBytes = codec.maxFrameSize();
        this.mapper = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(JsonSerialization.READ_CONSTRAINTS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()).build();
    }

    @Override
    public String name() {
        return Meters.PROTOCOL_HTTP;
    }

    /** A connection whose first byte is a method's first letter (never a frame's magic) speaks HTTP. */
    @Override
    public boolean recognizes(byte first) {
        return first >= 'A' && first <= 'Z' && !FrameCodec.isFrameStart(first);
    }

    @Override
    public Session open(ServerConnection owner, Connection connection) {
        return new HttpSession(owner, this, connection);
    }

    int maxHeaderBytes() {
        return maxHeaderBytes;
    }

    int maxBodyBytes() {
        return maxBodyBytes;
    }

    int maxHeaderFields() {
        return maxHeaderFields;
    }

    /** Bytes of pipelined requests a session holds while it serves the one before them. */
    int maxPipelinedBytes() {
        return maxPipelinedBytes;
    }

    Duration requestTimeout() {
        return limits.frameTimeout();
    }

    /** Whether the server is stopping: every answer is then its connection's last. */
    boolean serverDraining() {
        return dispatcher.isDraining();
    }

    /** Frames that never leave this process: no compression, no checksum. */
    FrameCodec plainCodec() {
        return requestCodec;
    }

    FrameDecoder newResponseDecoder() {
        return requestCodec.newDecoder(); // answers to HTTP calls are built with plainCodec(): nothing to inflate
    }

    FrameDecoder newRequestDecoder() {
        return requestCodec.newDecoder();
    }

    void warn(Connection c, HttpParseException e) {
        warnings.warn(c.remoteAddress(), e.reason(), "closing {}: HTTP {} ({}): {}", c, e.status(), e.reason(),
                e.getMessage());
    }

    /** Loop thread: a request that asked {@code Expect: 100-continue}; false when it was refused (and answered). */
    boolean mayContinue(HttpSession session, HttpRequest head) {
        if (!head.method().equals("POST") || callPath(head.path()) == null) {
            session.refuseBeforeBody(head.method().equals("POST") ? 404 : 405, errorJson("NOT_FOUND", "NOT_FOUND",
                    "no call at " + head.method() + " " + head.path() + "; calls are POST /{service}/{method}"));
            return false;
        }
        String type = contentTypeProblem(head);
        if (type != null) {
            session.refuseBeforeBody(415, errorJson("BAD_REQUEST", "BAD_REQUEST", type));
            return false;
        }
        return true;
    }

    /** Loop thread: one complete request. Answers it, now or once the dispatcher has served it. */
    void serve(HttpSession session, HttpRequest request) {
        String path = request.path();
        String method = request.method();
        if (path.equals("/") || path.equals("/services") || path.equals("/openapi.json")) {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                session.answer(405, errorJson("BAD_REQUEST", "BAD_REQUEST", path + " is read with GET"), false,
                        "Allow", "GET, HEAD");
                return;
            }
            describe(session, request, path.equals("/openapi.json"));
            return;
        }
        String[] call = callPath(path);
        if (call == null) {
            session.answer(404, errorJson("NOT_FOUND", "NOT_FOUND", "nothing at " + path
                    + "; calls are POST /{service}/{method}, the list of them is at GET /"), false);
            return;
        }
        if (!method.equals("POST")) {
            session.answer(405, errorJson("BAD_REQUEST", "BAD_REQUEST", "calls are made with POST, not " + method),
                    false, "Allow", "POST");
            return;
        }
        String typeProblem = contentTypeProblem(request);
        if (typeProblem != null) {
            session.answer(415, errorJson("BAD_REQUEST", "BAD_REQUEST", typeProblem), false, RPC_STATUS, "BAD_REQUEST");
            return;
        }
        long deadline = 0;
        String timeout = request.header("rpc-timeout-ms");
        if (timeout != null) {
            long ms = parseMillis(timeout);
            if (ms <= 0) {
                session.answer(400, errorJson("BAD_REQUEST", "BAD_REQUEST", "rpc-timeout-ms is not a positive number of"
                        + " milliseconds"), false, RPC_STATUS, "BAD_REQUEST");
                return;
            }
            deadline = clock.currentTimeMillis() + ms;
        }
        String version = request.header("rpc-version");
        String group = request.header("rpc-group");
        ServiceKey key = new ServiceKey(call[0], version == null ? "" : version, group == null ? "" : group);
        ProvidedMethod target = method(key, call[1]);
        FrameBuilder b = requestCodec.start(FrameType.REQUEST, session.nextRequestId(), JsonSerialization.ID, RpcStatus.OK);
        try {
            b.header(Headers.SERVICE, call[0]);
            // an unknown service or method goes to the dispatcher as named: it answers NOT_FOUND and counts it
            b.header(Headers.METHOD, target != null ? target.rpcMethod.signature() : call[1]);
            if (version != null && !version.isEmpty()) {
                b.header(Headers.VERSION, version);
            }
            if (group != null && !group.isEmpty()) {
                b.header(Headers.GROUP, group);
            }
            if (deadline != 0) {
                b.header(Headers.DEADLINE, deadline);
            }
            Map<String, String> metadata = metadata(request);
            if (!metadata.isEmpty()) {
                b.metadata(metadata, limits);
            }
            if (target != null) {
                String problem = writeArguments(target, request, b);
                if (problem != null) {
                    b.discard();
                    target.httpTimers.record(Outcome.of(RpcStatus.BAD_REQUEST), RpcStatus.BAD_REQUEST.name(), "none", 0);
                    session.answer(400, errorJson("BAD_REQUEST", "BAD_REQUEST", "cannot read the arguments of "
                            + target.describe() + ": " + problem), false, RPC_STATUS, "BAD_REQUEST");
                    return;
                }
            }
        } catch (RuntimeException e) { // metadata over its budget, and the like
            b.discard();
            session.answer(400, errorJson("BAD_REQUEST", "BAD_REQUEST", String.valueOf(e.getMessage())), false,
                    RPC_STATUS, "BAD_REQUEST");
            return;
        } catch (Throwable t) { // an Error: the pooled buffer goes back before it goes on
            b.discard();
            throw t;
        }
        PooledBuffer frame;
        try {
            frame = b.finish();
        } catch (FrameTooLargeException e) {
            b.discard();
            session.owner().limitExceeded("frame_size");
            session.answer(413, errorJson("RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED", "the call is " + e.frameSize()
                    + " bytes as a frame, above the server's frame limit of " + e.limit()
                    + " bytes (rpc.server.max-frame-size)"), false, RPC_STATUS, "RESOURCE_EXHAUSTED");
            return;
        }
        if (deadline != 0) {
            session.expireAt(deadline, clock.currentTimeMillis());
        }
        try {
            session.requests.decode(frame.buffer(), f -> dispatcher.dispatch(session.owner(), f));
        } catch (ProtocolException e) { // a header value the frame format does not take (too long, say)
            session.answer(400, errorJson("BAD_REQUEST", "BAD_REQUEST", "the call cannot be sent on: " + e.getMessage()),
                    true, RPC_STATUS, "BAD_REQUEST");
        } finally {
            frame.release();
        }
    }

    /** Any thread: the dispatcher's answer to a call made over HTTP. Releases {@code f}. */
    void render(HttpSession session, Frame f) {
        try {
            RpcStatus status = f.status();
            if (status == RpcStatus.OK) {
                if (f.bodyLength() == 0) {
                    session.answer(204, new byte[0], false, RPC_STATUS, "OK");
                    return;
                }
                BinaryReader in = f.bodyReader();
                byte[] json = in.readBytes();
                session.answer(200, json, false, RPC_STATUS, "OK");
                return;
            }
            ErrorBody error = ErrorBody.readFrom(f.bodyReader());
            int http = httpStatus(status);
            byte[] json = errorJson(status.name(), error.type(), error.message());
            if (http == 401) {
                session.answer(http, json, false, RPC_STATUS, status.name(), "WWW-Authenticate", "Bearer");
            } else {
                session.answer(http, json, false, RPC_STATUS, status.name());
            }
        } finally {
            f.release();
        }
    }

    /** The HTTP status of an rpc status (docs/http.md). */
    static int httpStatus(RpcStatus status) {
        return switch (status) {
            case OK -> 200;
            case BAD_REQUEST -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case OVERLOADED, RESOURCE_EXHAUSTED -> 429;
            case DRAINING -> 503;
            case DEADLINE_EXCEEDED, DEADLINE_EXCEEDED_WHILE_RUNNING -> 504;
            case SERVICE_ERROR, INTERNAL, UNKNOWN -> 500;
        };
    }

    byte[] errorJson(String status, String type, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("type", type);
        body.put("message", message);
        return mapper.writeValueAsBytes(body);
    }

    /** {service, method key} of {@code /{service}/{method}}, percent-decoded; null for any other path. */
    static String @Nullable [] callPath(String path) {
        int slash = path.indexOf('/', 1);
        if (slash < 0 || path.indexOf('/', slash + 1) >= 0 || slash == 1 || slash == path.length() - 1) {
            return null;
        }
        try {
            return new String[] {URLDecoder.decode(path.substring(1, slash).replace("+", "%2B"), StandardCharsets.UTF_8),
                    URLDecoder.decode(path.substring(slash + 1).replace("+", "%2B"), StandardCharsets.UTF_8)};
        } catch (IllegalArgumentException e) { // a bad percent escape
            return null;
        }
    }

    private static @Nullable String contentTypeProblem(HttpRequest request) {
        String type = request.header("content-type");
        if (type == null) {
            return "a call needs Content-Type: application/json";
        }
        String[] parts = type.split(";");
        if (!parts[0].trim().equalsIgnoreCase(JSON)) {
            return "a call's body is JSON (Content-Type: application/json), not " + parts[0].trim();
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim().toLowerCase(Locale.ROOT);
            if (p.startsWith("charset=") && !p.substring(8).replace("\"", "").equals("utf-8")) {
                return "JSON is read as UTF-8, not " + p.substring(8);
            }
        }
        return null;
    }

    private static long parseMillis(String value) {
        if (value.isEmpty() || value.length() > 12) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static Map<String, String> metadata(HttpRequest request) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String[] h : request.headers()) {
            if (h[0].equals("authorization") || TRACE_HEADERS.contains(h[0])) {
                metadata.putIfAbsent(h[0], h[1]);
            } else if (h[0].startsWith(METADATA_PREFIX) && h[0].length() > METADATA_PREFIX.length()) {
                metadata.putIfAbsent(h[0].substring(METADATA_PREFIX.length()), h[1]);
            }
        }
        return metadata;
    }

    private @Nullable ProvidedMethod method(ServiceKey key, String methodKey) {
        Map<String, ProvidedMethod> methods = byKey.get(key);
        if (methods == null) {
            ServiceTable.Provided provided = services.get(key);
            if (provided == null) {
                return null;
            }
            Map<String, ProvidedMethod> m = new LinkedHashMap<>();
            for (ProvidedMethod pm : provided.methods().values()) {
                m.put(pm.rpcMethod.key(), pm);
            }
            methods = byKey.computeIfAbsent(key, k -> Map.copyOf(m)); // services are never removed
        }
        return methods.get(methodKey);
    }

    /**
     * Writes the JSON arguments as the json serialization's body (a length and the JSON of each
     * argument); what the JSON is, the serialization's codecs decide. Null, or what is wrong.
     *
     * <p>The body is read as a stream of tokens, never as a tree: each argument is the exact slice
     * of the body it came in (numbers keep every digit), an array with more elements than the method
     * has parameters is refused at the first one too many, and nothing is allocated per value.
     */
    private @Nullable String writeArguments(ProvidedMethod target, HttpRequest request, FrameBuilder b) {
        int count = target.rpcMethod.parameterCount();
        byte[] body = request.body();
        int length = request.bodyLength();
        if (length == 0) {
            if (count == 0) {
                return null;
            }
            return "the body is empty; send the " + count + " arguments as a JSON array, or an object by parameter name";
        }
        try (JsonParser p = mapper.createParser(body, 0, length)) {
            JsonToken first = p.nextToken();
            String problem;
            if (first == JsonToken.START_ARRAY) {
                problem = byPosition(p, body, count, b);
            } else if (first == JsonToken.START_OBJECT) {
                problem = byName(p, body, target, b);
            } else {
                return "the body is " + (first == null ? "no JSON" : "a JSON " + first.name().toLowerCase(Locale.ROOT))
                        + "; send the arguments as an array, or an object by parameter name";
            }
            if (problem == null && p.nextToken() != null) {
                return "there is more JSON after the arguments";
            }
            return problem;
        } catch (JacksonException e) {
            return "the body is not JSON: " + e.getOriginalMessage();
        }
    }

    private static @Nullable String byPosition(JsonParser p, byte[] body, int count, FrameBuilder b) {
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (++n > count) {
                return "the JSON array has more than " + count + " elements for " + count + " parameters";
            }
            int from = (int) p.currentTokenLocation().getByteOffset();
            b.body().writeBytes(slice(p, t, body, from));
        }
        return n == count ? null : "the JSON array has " + n + " elements for " + count + " parameters";
    }

    private static @Nullable String byName(JsonParser p, byte[] body, ProvidedMethod target, FrameBuilder b) {
        Parameter[] parameters = target.rpcMethod.javaMethod().getParameters();
        if (parameters.length > 0 && !parameters[0].isNamePresent()) {
            return "the provider was compiled without parameter names (javac -parameters): send a JSON array";
        }
        byte[][] values = new byte[parameters.length][];
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            int index = -1;
            for (int i = 0; i < parameters.length && index < 0; i++) {
                index = parameters[i].getName().equals(name) ? i : -1;
            }
            if (index < 0) {
                return "no parameter named '" + name + "'";
            }
            JsonToken value = p.nextToken();
            int from = (int) p.currentTokenLocation().getByteOffset();
            values[index] = slice(p, value, body, from);
        }
        for (byte[] v : values) {
            b.body().writeBytes(v == null ? NULL : v); // an argument not named is null
        }
        return null;
    }

    /** The bytes of the value whose first token {@code t} the parser is at, from {@code from}; the parser ends past it. */
    private static byte[] slice(JsonParser p, JsonToken t, byte[] body, int from) {
        if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
            p.skipChildren(); // nesting and sizes stay under the parser's constraints
        } else {
            p.finishToken(); // a string is read lazily: read it to its closing quote
        }
        int to = (int) p.currentLocation().getByteOffset();
        return java.util.Arrays.copyOfRange(body, from, to);
    }

    private static final byte[] NULL = "null".getBytes(StandardCharsets.UTF_8);

    /** The listing or the OpenAPI description, once the caller is authenticated as a call would be. */
    private void describe(HttpSession session, HttpRequest request, boolean openApi) {
        ServerCall call = new ListingCall(metadata(request), session);
        try {
            for (AuthenticationInterceptor a : authentication) {
                a.authenticate(call);
            }
        } catch (RpcStatusException e) {
            int http = httpStatus(e.status());
            byte[] json = errorJson(e.status().name(), e.status().name(), String.valueOf(e.getMessage()));
            if (http == 401) {
                session.answer(http, json, false, "WWW-Authenticate", "Bearer");
            } else {
                session.answer(http, json, false);
            }
            return;
        }
        session.answer(200, description(openApi), false);
    }

    /** The listing or the OpenAPI document, made again only when the services changed (they are only ever added). */
    private byte[] description(boolean openApi) {
        int services = this.services.definitions().size();
        Described d = openApi ? openApiCache : listingCache;
        if (d == null || d.services != services) {
            d = new Described(services, mapper.writeValueAsBytes(openApi ? openApi() : listing()));
            if (openApi) {
                openApiCache = d;
            } else {
                listingCache = d;
            }
        }
        return d.json;
    }

    private record Described(int services, byte[] json) {
    }

    private volatile @Nullable Described listingCache;
    private volatile @Nullable Described openApiCache;

    private List<ServiceTable.Provided> provided() {
        List<ServiceTable.Provided> all = new ArrayList<>();
        for (ServiceDefinition d : services.definitions()) {
            ServiceTable.Provided p = services.get(d.key());
            if (p != null) {
                all.add(p);
            }
        }
        all.sort(Comparator.comparing((ServiceTable.Provided p) -> p.definition().key().toString()));
        return all;
    }

    private static List<ProvidedMethod> sorted(ServiceTable.Provided p) {
        List<ProvidedMethod> methods = new ArrayList<>(p.methods().values());
        methods.sort(Comparator.comparing(m -> m.rpcMethod.key()));
        return methods;
    }

    private Map<String, Object> listing() {
        List<Object> list = new ArrayList<>();
        for (ServiceTable.Provided p : provided()) {
            ServiceKey key = p.definition().key();
            Map<String, Object> service = new LinkedHashMap<>();
            service.put("service", key.interfaceName());
            service.put("version", key.version());
            service.put("group", key.group());
            List<Object> methods = new ArrayList<>();
            for (ProvidedMethod m : sorted(p)) {
                Map<String, Object> method = new LinkedHashMap<>();
                method.put("method", m.rpcMethod.key());
                method.put("path", "/" + key.interfaceName() + "/" + m.rpcMethod.key());
                List<Object> params = new ArrayList<>();
                Parameter[] parameters = m.rpcMethod.javaMethod().getParameters();
                for (int i = 0; i < parameters.length; i++) {
                    params.add(Map.of("name", parameters[i].getName(), "type", m.rpcMethod.parameterType(i).getTypeName()));
                }
                method.put("parameters", params);
                method.put("returns", m.returnsVoid ? "void" : m.rpcMethod.resultType().getTypeName());
                methods.add(method);
            }
            service.put("methods", methods);
            list.add(service);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("services", list);
        return root;
    }

    private Map<String, Object> openApi() {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (ServiceTable.Provided p : provided()) {
            ServiceKey key = p.definition().key();
            for (ProvidedMethod m : sorted(p)) {
                Map<String, Object> properties = new LinkedHashMap<>();
                List<Object> items = new ArrayList<>();
                Method java = m.rpcMethod.javaMethod();
                Parameter[] parameters = java.getParameters();
                for (int i = 0; i < parameters.length; i++) {
                    Map<String, Object> schema = schema(m.rpcMethod.parameterType(i));
                    properties.put(parameters[i].getName(), schema);
                    items.add(schema);
                }
                Map<String, Object> byName = new LinkedHashMap<>();
                byName.put("type", "object");
                byName.put("properties", properties);
                Map<String, Object> byPosition = new LinkedHashMap<>();
                byPosition.put("type", "array");
                byPosition.put("prefixItems", items); // OpenAPI 3.1 (JSON Schema 2020-12)
                byPosition.put("minItems", items.size());
                byPosition.put("maxItems", items.size());
                Map<String, Object> responses = new LinkedHashMap<>();
                if (m.returnsVoid) {
                    responses.put("204", Map.of("description", "done"));
                } else {
                    responses.put("200", Map.of("description", "the result", "content",
                            Map.of(JSON, Map.of("schema", schema(m.rpcMethod.resultType())))));
                }
                Map<String, Object> error = Map.of("description", "the call failed: {status, type, message}",
                        "content", Map.of(JSON, Map.of("schema", Map.of("type", "object"))));
                for (String code : List.of("400", "401", "403", "404", "429", "500", "503", "504")) {
                    responses.put(code, error);
                }
                Map<String, Object> op = new LinkedHashMap<>();
                op.put("operationId", key.interfaceName() + "." + m.rpcMethod.key());
                op.put("tags", List.of(key.interfaceName()));
                List<Object> headers = new ArrayList<>();
                if (!key.version().isEmpty()) {
                    headers.add(Map.of("name", "rpc-version", "in", "header", "required", true,
                            "schema", Map.of("type", "string", "enum", List.of(key.version()))));
                }
                if (!key.group().isEmpty()) {
                    headers.add(Map.of("name", "rpc-group", "in", "header", "required", true,
                            "schema", Map.of("type", "string", "enum", List.of(key.group()))));
                }
                headers.add(Map.of("name", "rpc-timeout-ms", "in", "header", "required", false,
                        "schema", Map.of("type", "integer", "minimum", 1)));
                op.put("parameters", headers);
                if (parameters.length > 0) {
                    op.put("requestBody", Map.of("required", true, "content", Map.of(JSON, Map.of("schema",
                            Map.of("oneOf", List.of(byPosition, byName))))));
                }
                op.put("responses", responses);
                String path = "/" + key.interfaceName() + "/" + m.rpcMethod.key();
                @SuppressWarnings("unchecked")
                Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(path, k -> new LinkedHashMap<>());
                item.putIfAbsent("post", op); // the same interface in two versions: one path, told apart by rpc-version
            }
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("openapi", "3.1.0");
        root.put("info", Map.of("title", "rpc-boot services", "version", "1"));
        root.put("paths", paths);
        return root;
    }

    private static Map<String, Object> schema(Type type) {
        Class<?> c = type instanceof Class<?> k ? k : type instanceof java.lang.reflect.ParameterizedType pt
                && pt.getRawType() instanceof Class<?> raw ? raw : Object.class;
        Map<String, Object> schema = new LinkedHashMap<>();
        if (c == int.class || c == long.class || c == short.class || c == byte.class || c == Integer.class
                || c == Long.class || c == Short.class || c == Byte.class || c == java.math.BigInteger.class) {
            schema.put("type", "integer");
        } else if (c == double.class || c == float.class || c == Double.class || c == Float.class
                || c == java.math.BigDecimal.class) {
            schema.put("type", "number");
        } else if (c == boolean.class || c == Boolean.class) {
            schema.put("type", "boolean");
        } else if (c == String.class || c == char.class || c == Character.class || c.isEnum()) {
            schema.put("type", "string");
        } else if (c.isArray() || java.util.Collection.class.isAssignableFrom(c)) {
            schema.put("type", "array");
        } else {
            schema.put("type", "object");
        }
        schema.put("x-java-type", type.getTypeName());
        return schema;
    }

    /** The listing request as a call, for the authenticators: its metadata and its connection. */
    private static final class ListingCall implements ServerCall {
        private final Map<String, String> metadata;
        private final HttpSession session;
        private final Map<String, Object> attributes = new ConcurrentHashMap<>();

        ListingCall(Map<String, String> metadata, HttpSession session) {
            this.metadata = metadata;
            this.session = session;
        }

        @Override
        public ServiceKey service() {
            return LISTING;
        }

        @Override
        public RpcMethod method() {
            return LISTING_METHOD;
        }

        @Override
        public @Nullable Object[] arguments() {
            return new Object[0];
        }

        @Override
        public Map<String, String> metadata() {
            return metadata;
        }

        @Override
        public OptionalLong deadlineMillis() {
            return OptionalLong.empty();
        }

        @Override
        public @Nullable SocketAddress remoteAddress() {
            return session.connection().remoteAddress();
        }

        @Override
        public @Nullable TlsPeer tlsPeer() {
            return session.connection().tlsPeer();
        }

        @Override
        public Map<String, Object> attributes() {
            return attributes;
        }
    }
}
