package io.herald.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.config.HeraldConfig;
import io.herald.config.NamespaceConfig;
import io.herald.engine.ControlCommand;
import io.herald.engine.Engine;
import io.herald.engine.EngineUnavailableException;
import io.herald.engine.NodeLoad;
import io.herald.engine.PublicationDraft;
import io.herald.hub.Hub;
import io.herald.limits.KeyedRateLimiter;
import io.herald.metrics.HeraldMetrics;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ChannelPattern;
import io.herald.protocol.CommandParser;
import io.herald.protocol.EventName;
import io.herald.protocol.FrameObject;
import io.herald.protocol.Frames;
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
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server API for backends: publish, broadcast, channels, presence, history, server-side
 * subscribe/unsubscribe/disconnect and node info, authenticated by {@code Authorization: apikey <key>}.
 * Thread-safe; never blocks (engine calls are asynchronous).
 */
public final class ServerApi {
    private static final Logger log = LoggerFactory.getLogger(ServerApi.class);
    private static final int MAX_IDEMPOTENCY_KEY = 256;
    private static final int MAX_BROADCAST_CHANNELS = 1000;

    private final HeraldConfig config;
    private final Engine engine;
    private final Hub hub;
    private final String nodeId;
    private final String version;
    private final byte[] apiKey;
    private final HeraldMetrics metrics;
    private final KeyedRateLimiter<String> rate;

    public ServerApi(HeraldConfig config, Engine engine, Hub hub, String nodeId, String version, HeraldMetrics metrics) {
        this.metrics = metrics;
        this.rate = new KeyedRateLimiter<>(config.limits().apiRate());
        this.config = config;
        this.engine = engine;
        this.hub = hub;
        this.nodeId = nodeId;
        this.version = version;
        this.apiKey = config.apiKey().getBytes(StandardCharsets.UTF_8);
    }

    /** Handles one request; the future always completes normally, errors become JSON error responses. */
    public CompletableFuture<ApiResponse> handle(ApiRequest req) {
        CompletableFuture<ApiResponse> out;
        try {
            authorize(req.authorization());
            long wait = rate.acquire(config.apiKey());
            if (wait > 0) {
                metrics.rateLimited("api");
                return CompletableFuture.completedFuture(new ApiResponse(429, error(new ApiException(429,
                        "too_many_requests", "more than " + config.limits().apiRate()
                        + " API requests per second; retry in " + wait + "s")).body(), wait));
            }
            out = route(req);
        } catch (ApiException e) {
            out = CompletableFuture.completedFuture(error(e));
        }
        return out.exceptionally(ServerApi::failure);
    }

    private static ApiResponse failure(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof ApiException e) {
            return error(e);
        }
        if (cause instanceof EngineUnavailableException) {
            log.warn("server API request failed: {}", cause.getMessage());
            return error(new ApiException(503, "not_available",
                    "the engine is not reachable; nothing was done, retry shortly"));
        }
        log.warn("server API request failed", cause);
        return error(new ApiException(503, "internal", "the engine could not complete the request; try again"));
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private void authorize(String header) throws ApiException {
        if (header == null || !header.regionMatches(true, 0, "apikey ", 0, 7)) {
            throw new ApiException(401, "unauthorized", "missing header Authorization: apikey <key>");
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, apiKey)) {
            throw new ApiException(401, "unauthorized", "invalid API key");
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
            case "/api/subscribe" -> post(method, () -> control(body(req).fields(), "subscribed", true));
            case "/api/unsubscribe" -> post(method, () -> control(body(req).fields(), "unsubscribed", true));
            case "/api/disconnect" -> post(method, () -> control(body(req).fields(), "disconnected", false));
            case "/api/channels" -> {
                requireMethod(method, "GET");
                yield channels(req.param("pattern"));
            }
            case "/api/info" -> {
                requireMethod(method, "GET");
                yield info();
            }
            default -> throw new ApiException(404, "not_found", "no such endpoint: " + method + " " + path);
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
            throw new ApiException(405, "bad_request", "use " + expected + " for this endpoint");
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
        String problem = ChannelName.problem(value);
        if (problem != null) {
            throw ApiException.badRequest("invalid channel: " + problem);
        }
        return new ChannelName(value);
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
        String type = text(body, "type", true);
        String problem = EventName.problem(type);
        if (problem != null) {
            throw ApiException.badRequest(problem);
        }
        return type;
    }

    private static RawJson data(FrameObject body) throws ApiException {
        RawJson data = body.data();
        if (data == null) {
            throw ApiException.badRequest("missing field \"data\"");
        }
        return data;
    }

    private CompletableFuture<ApiResponse> publish(FrameObject body) throws ApiException {
        ChannelName ch = channel(text(body.fields(), "channel", true));
        String type = eventType(body.fields());
        RawJson data = data(body);
        String key = text(body.fields(), "idempotency_key", false);
        if (key != null && (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY)) {
            throw ApiException.badRequest("idempotency_key must be 1-" + MAX_IDEMPOTENCY_KEY + " characters");
        }
        NamespaceConfig ns = config.namespace(ch.namespace());
        enterGate();
        return engine.history().publish(ch, new PublicationDraft(type, data, null, key), ns)
                .whenComplete((r, e) -> hub.publishGate().exit())
                .thenApply(r -> {
                    if (!r.duplicate()) {
                        metrics.publication();
                    }
                    return ok(g -> {
                        g.writeNumberField("offset", r.publication().offset());
                        g.writeStringField("epoch", r.publication().epoch());
                    });
                });
    }

    /** Refuses publishes once the node drains: 503, so the backend retries elsewhere or later. */
    private void enterGate() throws ApiException {
        if (!hub.publishGate().tryEnter()) {
            throw new ApiException(503, "not_available", "this node is shutting down; publish again shortly");
        }
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
        enterGate();
        List<CompletableFuture<BroadcastResult>> results = new ArrayList<>();
        for (JsonNode item : list) {
            results.add(broadcastOne(item, type, data));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(results.toArray(CompletableFuture[]::new));
        all.whenComplete((v, e) -> hub.publishGate().exit());
        return all.thenApply(v -> ok(g -> {
            g.writeArrayFieldStart("results");
            for (CompletableFuture<BroadcastResult> f : results) {
                f.join().write(g);
            }
            g.writeEndArray();
        }));
    }

    /** One channel's outcome in a broadcast: a position or an error. */
    private record BroadcastResult(String channel, StreamPosition position, String code, String message) {
        void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("channel", channel);
            if (position != null) {
                g.writeNumberField("offset", position.offset());
                g.writeStringField("epoch", position.epoch());
            } else {
                g.writeObjectFieldStart("error");
                g.writeStringField("code", code);
                g.writeStringField("message", message);
                g.writeEndObject();
            }
            g.writeEndObject();
        }
    }

    private CompletableFuture<BroadcastResult> broadcastOne(JsonNode item, String type, RawJson data) {
        String name = item.isTextual() ? item.textValue() : item.toString();
        String problem = item.isTextual() ? ChannelName.problem(name) : "channel must be a string";
        if (problem != null) {
            return CompletableFuture.completedFuture(new BroadcastResult(CommandParser.clip(name), null,
                    "bad_request", "invalid channel: " + problem));
        }
        ChannelName ch = new ChannelName(name);
        return engine.history().publish(ch, new PublicationDraft(type, data, null, null), config.namespace(ch.namespace()))
                .thenApply(r -> {
                    metrics.publication();
                    return new BroadcastResult(name, r.publication().position(), null, null);
                })
                .exceptionally(e -> unwrap(e) instanceof EngineUnavailableException
                        ? new BroadcastResult(name, null, "not_available", "the engine is not reachable; retry shortly")
                        : new BroadcastResult(name, null, "internal", "publish failed; try again"));
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
        if (!config.namespace(ch.namespace()).presence()) {
            throw new ApiException(404, "not_available", "presence is off in the namespace of " + ch);
        }
        // "users" counts distinct user ids, so one user with two tabs (two clients) counts once
        return engine.presence().get(ch).thenApply(clients -> ok(g -> {
            Frames.writeClients(g, clients);
            g.writeNumberField("users", clients.stream().map(c -> c.user()).distinct().count());
        }));
    }

    private CompletableFuture<ApiResponse> history(ChannelName ch, ApiRequest req) throws ApiException {
        NamespaceConfig ns = config.namespace(ch.namespace());
        if (ns.historySize() == 0) {
            throw new ApiException(404, "not_available", "history is off in the namespace of " + ch);
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

    /** subscribe, unsubscribe (with a channel) and disconnect (without), aimed at a user or a client. */
    private CompletableFuture<ApiResponse> control(ObjectNode body, String resultField, boolean withChannel)
            throws ApiException {
        String user = text(body, "user", false);
        String client = text(body, "client", false);
        if ((user == null) == (client == null)) {
            throw ApiException.badRequest("give exactly one of \"user\" and \"client\"");
        }
        if (user != null && user.isEmpty()) {
            throw ApiException.badRequest("\"user\" must not be empty (anonymous connections cannot be targeted)");
        }
        ControlCommand cmd;
        if (withChannel) {
            ChannelName ch = channel(text(body, "channel", true));
            cmd = "subscribed".equals(resultField)
                    ? new ControlCommand.Subscribe(user, client, ch)
                    : new ControlCommand.Unsubscribe(user, client, ch);
        } else {
            cmd = new ControlCommand.Disconnect(user, client);
        }
        int n = hub.applyControl(cmd);
        engine.broker().publishControl(cmd);
        return CompletableFuture.completedFuture(ok(g -> g.writeNumberField(resultField, n)));
    }

    /**
     * This node's figures at the top level, and every live node of the engine under {@code nodes}
     * (this one always included, with its current figures, even if its last announcement is older).
     */
    private CompletableFuture<ApiResponse> info() {
        NodeLoad self = new NodeLoad(nodeId, hub.connectionCount(), hub.subscriptionCount(), hub.channelCount());
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

    private static void writeNode(JsonGenerator g, NodeLoad n) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", n.id());
        g.writeNumberField("connections", n.connections());
        g.writeNumberField("subscriptions", n.subscriptions());
        g.writeNumberField("channels", n.channels());
        g.writeEndObject();
    }

    private static ApiResponse ok(JsonCodec.Fields body) {
        return new ApiResponse(200, JsonCodec.object(body));
    }

    public static ApiResponse error(ApiException e) {
        return new ApiResponse(e.status(), JsonCodec.object(g -> {
            g.writeObjectFieldStart("error");
            g.writeStringField("code", e.code());
            g.writeStringField("message", e.getMessage());
            g.writeEndObject();
        }));
    }
}
