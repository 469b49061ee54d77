package io.herald.api;

import io.herald.metrics.RateLimit;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.config.HeraldConfig;
import io.herald.config.NamespaceConfig;
import io.herald.engine.ControlCommand;
import io.herald.engine.Engine;
import io.herald.engine.EngineOutcomeUnknownException;
import io.herald.engine.EngineUnavailableException;
import io.herald.engine.NodeLoad;
import io.herald.hub.Hub;
import io.herald.limits.KeyedRateLimiter;
import io.herald.metrics.HeraldMetrics;
import io.herald.pusher.PusherApps;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ChannelPattern;
import io.herald.protocol.CommandParser;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.FrameObject;
import io.herald.protocol.Frames;
import io.herald.protocol.IdempotencyKey;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.RawJson;
import io.herald.protocol.StreamPosition;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server API for backends: publish, broadcast, channels, presence, history, server-side
 * subscribe/unsubscribe/disconnect and node info, authenticated by {@code Authorization: apikey <key>}.
 * Thread-safe; never blocks (engine calls are asynchronous).
 */
public final class ServerApi {
    private static final Logger log = LoggerFactory.getLogger(ServerApi.class);
    private static final int MAX_BROADCAST_CHANNELS = 1000;

    private final HeraldConfig config;
    private final Engine engine;
    private final Hub hub;
    private final String nodeId;
    private final String version;
    private final byte[] apiKey;
    private final HeraldMetrics metrics;
    private final KeyedRateLimiter<String> rate;
    private final BackendPublisher publisher;
    /** When this node started serving (the API is made at start). */
    private final long startedMillis;

    /** A Pusher app's presence channel has presence whatever its namespace says. */
    private final PusherApps pusherApps;

    public ServerApi(HeraldConfig config, Engine engine, Hub hub, BackendPublisher publisher, String nodeId,
                     String version, HeraldMetrics metrics, PusherApps pusherApps) {
        this.pusherApps = pusherApps;
        this.metrics = metrics;
        this.publisher = publisher;
        this.rate = new KeyedRateLimiter<>(config.limits().apiRate());
        this.config = config;
        this.engine = engine;
        this.hub = hub;
        this.nodeId = nodeId;
        this.version = version;
        this.apiKey = config.apiKey().getBytes(StandardCharsets.UTF_8);
        this.startedMillis = System.currentTimeMillis();
    }

    /** Handles one request; the future always completes normally, errors become JSON error responses. */
    public CompletableFuture<ApiResponse> handle(ApiRequest req) {
        CompletableFuture<ApiResponse> out;
        try {
            authorize(req.authorization());
            long wait = rate.acquire(config.apiKey());
            if (wait > 0) {
                metrics.rateLimited(RateLimit.API);
                ApiException refused = new ApiException(ErrorCode.TOO_MANY_REQUESTS, "more than "
                        + config.limits().apiRate() + " API requests per second; retry in " + wait + "s");
                return CompletableFuture.completedFuture(new ApiResponse(refused.status(), error(refused).body(), wait));
            }
            out = route(req);
        } catch (ApiException e) {
            out = CompletableFuture.completedFuture(error(e));
        }
        return out.exceptionally(ServerApi::failure);
    }

    private static ApiResponse failure(Throwable t) {
        return error(engineFailure(t));
    }

    /** {@link #classify}, logged. */
    private static ApiException engineFailure(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof EngineUnavailableException || cause instanceof EngineOutcomeUnknownException) {
            log.warn("server API request failed: {}", cause.getMessage());
        } else if (!(cause instanceof ApiException)) {
            log.warn("server API request failed", cause);
        }
        return BackendPublisher.classify(cause);
    }

    private static Throwable unwrap(Throwable t) {
        return BackendPublisher.unwrap(t);
    }

    /**
     * The 401 answer for a request with this {@code Authorization} header, or null when the key is
     * right; lets the transport refuse a request from its headers, before reading its body.
     */
    public ApiResponse refusal(String authorization) {
        try {
            authorize(authorization);
            return null;
        } catch (ApiException e) {
            return error(e);
        }
    }

    private void authorize(String header) throws ApiException {
        if (header == null || !header.regionMatches(true, 0, "apikey ", 0, 7)) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "missing header Authorization: apikey <key>");
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, apiKey)) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "invalid API key");
        }
    }

    private CompletableFuture<ApiResponse> route(ApiRequest req) throws ApiException {
        String path = req.path();
        String method = req.method();
        if (path.startsWith("/api/presence/")) {
            requireMethod(method, "GET");
            return presence(channelFromPath(path, "/api/presence/"));
        }
        if (path.startsWith("/api/history/")) {
            requireMethod(method, "GET");
            return history(channelFromPath(path, "/api/history/"), req);
        }
        return switch (path) {
            case "/api/publish" -> post(method, () -> publish(body(req)));
            case "/api/broadcast" -> post(method, () -> broadcast(body(req)));
            case "/api/subscribe" -> post(method, () -> control(body(req).fields(), Control.SUBSCRIBE));
            case "/api/unsubscribe" -> post(method, () -> control(body(req).fields(), Control.UNSUBSCRIBE));
            case "/api/disconnect" -> post(method, () -> control(body(req).fields(), Control.DISCONNECT));
            case "/api/channels" -> {
                requireMethod(method, "GET");
                yield channels(req.param("pattern"));
            }
            case "/api/info" -> {
                requireMethod(method, "GET");
                yield info();
            }
            default -> throw new ApiException(ErrorCode.NOT_FOUND, "no such endpoint: " + method + " " + path);
        };
    }

    @FunctionalInterface
    private interface Handler {
        CompletableFuture<ApiResponse> run() throws ApiException;
    }

    private static CompletableFuture<ApiResponse> post(String method, Handler h) throws ApiException {
        requireMethod(method, "POST");
        return h.run();
    }

    private static void requireMethod(String method, String expected) throws ApiException {
        if (!expected.equals(method)) {
            throw ApiException.wrongMethod(expected);
        }
    }

    /** The body as a JSON object, its {@code data} kept as the caller's text. */
    private static FrameObject body(ApiRequest req) throws ApiException {
        if (req.body().length == 0) {
            throw ApiException.badRequest("request body must be a JSON object");
        }
        try {
            FrameObject body = FrameObject.read(req.body(), 0, req.body().length);
            if (body != null) {
                return body;
            }
            throw ApiException.badRequest("request body must be a JSON object");
        } catch (FrameObject.NotUtf8Exception e) {
            throw ApiException.badRequest("request body is not valid UTF-8");
        } catch (JacksonException e) {
            throw ApiException.badRequest("request body is not valid JSON: " + CommandParser.clip(
                    String.valueOf(e.getOriginalMessage()).replace('\n', ' ')));
        } catch (IOException e) {
            throw ApiException.badRequest("request body could not be read");
        }
    }

    private static String text(ObjectNode body, String field, boolean required) throws ApiException {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw ApiException.badRequest("missing field \"" + field + "\"");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest("field \"" + field + "\" must be a string");
        }
        return node.textValue();
    }

    private static ChannelName channel(String value) throws ApiException {
        return BackendPublisher.channel(value);
    }

    private static ChannelName channelFromPath(String path, String prefix) throws ApiException {
        String raw = path.substring(prefix.length());
        String decoded;
        try {
            decoded = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("channel in the path is not valid percent-encoding");
        }
        return channel(decoded);
    }

    private static String eventType(ObjectNode body) throws ApiException {
        return BackendPublisher.eventType(text(body, "type", true));
    }

    private static RawJson data(FrameObject body) throws ApiException {
        RawJson data = body.data();
        if (data == null) {
            throw ApiException.badRequest("missing field \"data\"");
        }
        return data;
    }

    /**
     * Every answer once the body is valid carries the idempotency key the publish went under (the
     * caller's, or one assigned now), errors included, so that a retry after any of them, above all a
     * 504 {@code unknown_outcome}, can carry it and never publishes twice.
     */
    private CompletableFuture<ApiResponse> publish(FrameObject body) throws ApiException {
        ChannelName ch = channel(text(body.fields(), "channel", true));
        String type = eventType(body.fields());
        RawJson data = data(body);
        String key = idempotencyKey(body.fields());
        return publisher.publish(ch, type, data, key)
                .handle((r, e) -> {
                    if (e != null) {
                        return error(engineFailure(e), key);
                    }
                    return ok(g -> {
                        g.writeNumberField("offset", r.position().offset());
                        g.writeStringField("epoch", r.position().epoch());
                        g.writeStringField(IdempotencyKey.FIELD, key);
                    });
                });
    }

    /** The caller's {@code idempotency_key}, validated, or a new unguessable one. */
    private static String idempotencyKey(ObjectNode body) throws ApiException {
        String given = text(body, IdempotencyKey.FIELD, false);
        return given == null ? IdempotencyKey.random() : BackendPublisher.idempotencyKey(given);
    }

    private CompletableFuture<ApiResponse> broadcast(FrameObject body) throws ApiException {
        JsonNode list = body.fields().get("channels");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw ApiException.badRequest("field \"channels\" must be a non-empty array of channel names");
        }
        if (list.size() > MAX_BROADCAST_CHANNELS) {
            throw ApiException.badRequest("at most " + MAX_BROADCAST_CHANNELS + " channels per broadcast");
        }
        String type = eventType(body.fields());
        RawJson data = data(body);
        // one key for every channel: keys count per channel, so a retried broadcast publishes at most once in each
        String key = idempotencyKey(body.fields());
        // refused once the node drains (503), so the backend retries elsewhere or later
        if (!publisher.enter()) {
            return CompletableFuture.completedFuture(error(BackendPublisher.draining(), key));
        }
        List<CompletableFuture<BroadcastResult>> results = new ArrayList<>();
        for (JsonNode item : list) {
            results.add(broadcastOne(item, type, data, key));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(results.toArray(CompletableFuture[]::new));
        all.whenComplete((v, e) -> publisher.exit());
        return all.thenApply(v -> ok(g -> {
            g.writeArrayFieldStart("results");
            for (CompletableFuture<BroadcastResult> f : results) {
                f.join().write(g);
            }
            g.writeEndArray();
            g.writeStringField(IdempotencyKey.FIELD, key);
        }));
    }

    /** One channel's outcome in a broadcast: a position or an error. */
    private record BroadcastResult(String channel, StreamPosition position, ErrorCode code, String message) {
        void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("channel", channel);
            if (position != null) {
                g.writeNumberField("offset", position.offset());
                g.writeStringField("epoch", position.epoch());
            } else {
                g.writeObjectFieldStart("error");
                g.writeStringField("code", code.wire());
                g.writeStringField("message", message);
                g.writeEndObject();
            }
            g.writeEndObject();
        }
    }

    private CompletableFuture<BroadcastResult> broadcastOne(JsonNode item, String type, RawJson data, String key) {
        String name = item.isTextual() ? item.textValue() : item.toString();
        String problem = item.isTextual() ? ChannelName.problem(name) : "channel must be a string";
        if (problem != null) {
            return CompletableFuture.completedFuture(new BroadcastResult(CommandParser.clip(name), null,
                    ErrorCode.BAD_REQUEST, "invalid channel: " + problem));
        }
        ChannelName ch = new ChannelName(name);
        return publisher.publishAdmitted(ch, type, data, key)
                .thenApply(r -> new BroadcastResult(name, r.position(), null, null))
                .exceptionally(e -> {
                    // not logged per channel: a broadcast to 1000 channels during an outage would log 1000 lines
                    ApiException failed = BackendPublisher.classify(e);
                    return new BroadcastResult(name, null, failed.code(), failed.getMessage());
                });
    }

    private CompletableFuture<ApiResponse> channels(String pattern) throws ApiException {
        ChannelPattern p;
        try {
            p = pattern == null || pattern.isEmpty() ? null : ChannelPattern.of(pattern);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid pattern: " + e.getMessage());
        }
        Map<ChannelName, Integer> found = hub.channels(p);
        return CompletableFuture.completedFuture(ok(g -> {
            g.writeArrayFieldStart("channels");
            for (Map.Entry<ChannelName, Integer> e : found.entrySet()) {
                g.writeStartObject();
                g.writeStringField("channel", e.getKey().value());
                g.writeNumberField("subscribers", e.getValue());
                g.writeEndObject();
            }
            g.writeEndArray();
        }));
    }

    private CompletableFuture<ApiResponse> presence(ChannelName ch) throws ApiException {
        if (!config.namespace(ch.namespace()).presence() && !pusherApps.isPresenceChannel(ch)) {
            throw new ApiException(ErrorCode.NOT_AVAILABLE, "presence is off in the namespace of " + ch);
        }
        // "users" counts distinct user ids, so one user with two tabs (two clients) counts once
        return engine.presence().get(ch).thenApply(clients -> ok(g -> {
            Frames.writeClients(g, clients);
            g.writeNumberField("users", Frames.users(clients));
        }));
    }

    private CompletableFuture<ApiResponse> history(ChannelName ch, ApiRequest req) throws ApiException {
        NamespaceConfig ns = config.namespace(ch.namespace());
        if (ns.historySize() == 0) {
            throw new ApiException(ErrorCode.NOT_AVAILABLE, "history is off in the namespace of " + ch);
        }
        StreamPosition since = sinceParams(req);
        int limit = limitParam(req.param("limit"));
        return engine.history().read(ch, since, limit, ns).thenApply(r -> ok(g -> {
            Frames.writePublications(g, r.publications());
            g.writeNumberField("offset", r.position().offset());
            g.writeStringField("epoch", r.position().epoch());
            g.writeBooleanField("recovered", r.recovered());
        }));
    }

    private static StreamPosition sinceParams(ApiRequest req) throws ApiException {
        String since = req.param("since");
        String epoch = req.param("epoch");
        if (since == null && epoch == null) {
            return null;
        }
        if (since == null || epoch == null || epoch.isEmpty()) {
            throw ApiException.badRequest("since and epoch must be given together");
        }
        try {
            long offset = Long.parseLong(since);
            if (offset < 0) {
                throw ApiException.badRequest("since must be an integer >= 0");
            }
            return new StreamPosition(offset, epoch);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("since must be an integer >= 0");
        }
    }

    private static int limitParam(String value) throws ApiException {
        if (value == null) {
            return CommandParser.MAX_HISTORY_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit < 1) {
                throw ApiException.badRequest("limit must be a positive integer");
            }
            return Math.min(limit, CommandParser.MAX_HISTORY_LIMIT);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit must be a positive integer");
        }
    }

    /** The server API's control requests: which command each builds, and the field its answer counts in. */
    private enum Control {
        SUBSCRIBE("subscribed"),
        UNSUBSCRIBE("unsubscribed"),
        DISCONNECT("disconnected");

        /** The field of the answer: how many connections it reached on this node. */
        final String resultField;

        Control(String resultField) {
            this.resultField = resultField;
        }
    }

    /** subscribe, unsubscribe (with a channel) and disconnect (with an optional reconnect and reason), aimed at a user or a client. */
    private CompletableFuture<ApiResponse> control(ObjectNode body, Control kind) throws ApiException {
        String user = text(body, "user", false);
        String client = text(body, "client", false);
        if ((user == null) == (client == null)) {
            throw ApiException.badRequest("give exactly one of \"user\" and \"client\"");
        }
        if (user != null && user.isEmpty()) {
            throw ApiException.badRequest("\"user\" must not be empty (anonymous connections cannot be targeted)");
        }
        ControlCommand cmd = switch (kind) {
            case SUBSCRIBE -> new ControlCommand.Subscribe(user, client, channel(text(body, "channel", true)));
            case UNSUBSCRIBE -> new ControlCommand.Unsubscribe(user, client, channel(text(body, "channel", true)));
            case DISCONNECT -> new ControlCommand.Disconnect(user, client, reconnect(body), reason(body));
        };
        int n = hub.applyControl(cmd);
        engine.broker().publishControl(cmd);
        return CompletableFuture.completedFuture(ok(g -> g.writeNumberField(kind.resultField, n)));
    }

    /** A disconnect's {@code reconnect}: false unless the request says true. */
    private static boolean reconnect(ObjectNode body) throws ApiException {
        JsonNode node = body.get("reconnect");
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw ApiException.badRequest("field \"reconnect\" must be true or false");
        }
        return node.booleanValue();
    }

    /** A disconnect's {@code reason}, at most {@value ControlCommand.Disconnect#MAX_REASON_BYTES} bytes of UTF-8. */
    private static String reason(ObjectNode body) throws ApiException {
        String reason = text(body, "reason", false);
        if (reason == null) {
            return ControlCommand.Disconnect.DEFAULT_REASON;
        }
        if (reason.isBlank()) {
            throw ApiException.badRequest("field \"reason\" must not be blank (leave it out for the default)");
        }
        if (reason.getBytes(StandardCharsets.UTF_8).length > ControlCommand.Disconnect.MAX_REASON_BYTES) {
            throw ApiException.badRequest("field \"reason\" is longer than " + ControlCommand.Disconnect.MAX_REASON_BYTES
                    + " bytes of UTF-8 (what a WebSocket close frame can carry)");
        }
        return reason;
    }

    /**
     * This node's figures at the top level, and every live node of the engine under {@code nodes}
     * (this one always included, with its current figures, even if its last announcement is older).
     */
    private CompletableFuture<ApiResponse> info() {
        NodeLoad self = load();
        // without the engine the other nodes are unknown, but this node can still describe itself
        return engine.nodes().nodes().exceptionally(e -> List.of()).thenApply(live -> ok(g -> {
            g.writeStringField("version", version);
            g.writeStringField("engine", engine.name());
            g.writeStringField("node", nodeId);
            g.writeNumberField("connections", self.connections());
            g.writeNumberField("subscriptions", self.subscriptions());
            g.writeArrayFieldStart("nodes");
            writeNode(g, self);
            for (NodeLoad n : live) {
                if (!n.id().equals(nodeId)) {
                    writeNode(g, n);
                }
            }
            g.writeEndArray();
        }));
    }

    /** This node's figures now. */
    public NodeLoad load() {
        return new NodeLoad(nodeId, hub.connectionCount(), hub.subscriptionCount(), hub.channelCount(), startedMillis);
    }

    private static void writeNode(JsonGenerator g, NodeLoad n) throws IOException {
        g.writeStartObject();
        g.writeStringField("node", n.id());
        g.writeNumberField("connections", n.connections());
        g.writeNumberField("subscriptions", n.subscriptions());
        g.writeNumberField("channels", n.channels());
        if (n.startedMillis() > 0) {
            g.writeStringField("started", Frames.timestamp(n.startedMillis()));
        }
        g.writeEndObject();
    }

    private static ApiResponse ok(JsonCodec.Fields body) {
        return new ApiResponse(200, JsonCodec.object(body));
    }

    public static ApiResponse error(ApiException e) {
        return new ApiResponse(e.status(), JsonCodec.object(g -> writeError(g, e)), 0, e.allow());
    }

    /** {@code {"error":{"code","message"},"idempotency_key"}}: a publish's error names the key to retry with. */
    private static ApiResponse error(ApiException e, String idempotencyKey) {
        return new ApiResponse(e.status(), JsonCodec.object(g -> {
            writeError(g, e);
            g.writeStringField(IdempotencyKey.FIELD, idempotencyKey);
        }));
    }

    private static void writeError(JsonGenerator g, ApiException e) throws IOException {
        g.writeObjectFieldStart("error");
        g.writeStringField("code", e.code().wire());
        g.writeStringField("message", e.getMessage());
        g.writeEndObject();
    }
}
