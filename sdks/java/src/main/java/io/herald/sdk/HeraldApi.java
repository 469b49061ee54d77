package io.herald.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * Herald's server API for backends. Each call is its own future (no queue): it has a per-request
 * timeout and is retried with full-jitter backoff (100 ms doubling to 5 s) on network errors, 429
 * (waiting at least {@code Retry-After}), 503 and 504 until the retry deadline (default 30 s from
 * the first try); then it fails with {@link HeraldErrorCode#DEADLINE_EXCEEDED}, the last failure
 * as cause and the idempotency key. Other errors fail at once with a {@link HeraldApiException}
 * carrying the protocol's code and the HTTP status.
 *
 * <p>Publishes and broadcasts always carry an idempotency key (yours, or a random one made once per
 * call), the same on every try, so Herald publishes at most once within its 5-minute window.
 * {@code disconnect} is retried only when Herald said nothing was done (429, 503), since a repeated
 * disconnect could end a session that the first one let reconnect.
 *
 * <p>Thread-safe: share one instance. Each {@code xxxAsync} method returns at once; the blocking
 * forms wait for it and throw its {@link HeraldApiException}. Futures complete on the HTTP client's
 * threads; do not block in their callbacks. At most {@code maxInFlight} requests are on the wire at
 * once, and at most {@code maxWaiting} more wait for a slot (beyond: {@link HeraldErrorCode#QUEUE_FULL}).
 */
public final class HeraldApi implements AutoCloseable {
    /** Broadcast channels whose result says "retry with the key". */
    private static final Set<HeraldErrorCode> RETRYABLE_CHANNEL_CODES =
            Set.of(HeraldErrorCode.NOT_AVAILABLE, HeraldErrorCode.UNKNOWN_OUTCOME);

    private final long deadlineMillis;
    private final long minBackoffMillis;
    private final long maxBackoffMillis;
    private final DoubleSupplier random;
    private final ApiCalls calls;

    private HeraldApi(Builder b) {
        String url = Objects.requireNonNull(b.url, "url").replaceAll("/+$", "");
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("url must start with http:// or https://, got " + url);
        }
        URI.create(url); // fails fast on a malformed url
        if (b.apiKey == null || b.apiKey.isEmpty()) {
            throw new IllegalArgumentException("HeraldApi needs an apiKey");
        }
        Duration timeout = positive(b.timeout, "timeout");
        this.deadlineMillis = positive(b.retryDeadline, "retryDeadline").toMillis();
        this.minBackoffMillis = positive(b.minBackoff, "minBackoff").toMillis();
        this.maxBackoffMillis = positive(b.maxBackoff, "maxBackoff").toMillis();
        if (b.maxInFlight < 1 || b.maxWaiting < 0 || b.maxResponseBytes < 1024) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, maxWaiting >= 0, maxResponseBytes >= 1024");
        }
        this.random = b.random;
        this.calls = new ApiCalls(url, b.apiKey, timeout, minBackoffMillis, maxBackoffMillis, b.maxResponseBytes, random,
                new AsyncPermits(b.maxInFlight, b.maxWaiting));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a {@link HeraldApi}; only {@code url} and {@code apiKey} are required. */
    public static final class Builder {
        private String url;
        private String apiKey;
        private Duration timeout = Duration.ofSeconds(10);
        private Duration retryDeadline = Duration.ofSeconds(30);
        private Duration minBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private int maxInFlight = 64;
        private int maxWaiting = 10_000;
        private long maxResponseBytes = 16L * 1024 * 1024;
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        private Builder() {
        }

        /** Herald's base URL, e.g. {@code http://127.0.0.1:8080}. */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        /** The server API key ({@code HERALD_API_KEY}). */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** Per-request timeout, also the connect timeout (default 10 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** How long a call keeps retrying, from its first try (default 30 s). */
        public Builder retryDeadline(Duration retryDeadline) {
            this.retryDeadline = retryDeadline;
            return this;
        }

        /** First backoff ceiling (default 100 ms); doubles per try up to {@link #maxBackoff}. */
        public Builder minBackoff(Duration minBackoff) {
            this.minBackoff = minBackoff;
            return this;
        }

        /** Largest backoff ceiling (default 5 s). */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** Requests on the wire at once (default 64). */
        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
            return this;
        }

        /** Calls that may wait for a free request slot (default 10,000). */
        public Builder maxWaiting(int maxWaiting) {
            this.maxWaiting = maxWaiting;
            return this;
        }

        /** Largest answer read (default 16 MiB); a larger one fails with {@link HeraldErrorCode#BAD_RESPONSE}. */
        public Builder maxResponseBytes(long maxResponseBytes) {
            this.maxResponseBytes = maxResponseBytes;
            return this;
        }

        /** Randomness in [0, 1) for the backoff jitter (tests pin it). */
        public Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        public HeraldApi build() {
            return new HeraldApi(this);
        }
    }

    // ---- publishing -------------------------------------------------------------------------

    /** Publishes once, whatever the retries; {@code data} is anything Jackson can write (a JsonNode passes as is). */
    public CompletableFuture<PublishResult> publishAsync(String channel, String type, Object data, PublishOptions options) {
        String key = keyOf(options);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("channel", channel);
        body.put("type", type);
        body.set("data", toJson(data));
        body.put("idempotency_key", key);
        return calls.call("POST", "/api/publish", body, ApiCalls.RetryPolicy.ALL, key, deadlineMillis)
                .thenApply(r -> new PublishResult(Json.number(r, "offset"), Json.text(r, "epoch"),
                        Json.textOr(r, "idempotency_key", key)));
    }

    public CompletableFuture<PublishResult> publishAsync(String channel, String type, Object data) {
        return publishAsync(channel, type, data, PublishOptions.NONE);
    }

    public PublishResult publish(String channel, String type, Object data, PublishOptions options) {
        return await(publishAsync(channel, type, data, options));
    }

    public PublishResult publish(String channel, String type, Object data) {
        return publish(channel, type, data, PublishOptions.NONE);
    }

    /**
     * Publishes to every channel under one key. Channels whose result is {@code not_available} or
     * {@code unknown_outcome} are broadcast again, alone, with the same key until the deadline; other
     * per-channel errors (a bad channel name) are in the result, not thrown.
     */
    public CompletableFuture<BroadcastResult> broadcastAsync(List<String> channels, String type, Object data,
                                                             PublishOptions options) {
        String key = keyOf(options);
        JsonNode json = toJson(data);
        long started = System.nanoTime();
        Map<String, BroadcastResult.ChannelResult> results = new LinkedHashMap<>();
        CompletableFuture<BroadcastResult> done = new CompletableFuture<>();
        broadcastRound(new ArrayList<>(new LinkedHashSet<>(channels)), type, json, key, started, 0, results, channels, done);
        return done;
    }

    public CompletableFuture<BroadcastResult> broadcastAsync(List<String> channels, String type, Object data) {
        return broadcastAsync(channels, type, data, PublishOptions.NONE);
    }

    public BroadcastResult broadcast(List<String> channels, String type, Object data, PublishOptions options) {
        return await(broadcastAsync(channels, type, data, options));
    }

    public BroadcastResult broadcast(List<String> channels, String type, Object data) {
        return broadcast(channels, type, data, PublishOptions.NONE);
    }

    private void broadcastRound(List<String> pending, String type, JsonNode data, String key, long started, int attempt,
                                Map<String, BroadcastResult.ChannelResult> results, List<String> order,
                                CompletableFuture<BroadcastResult> done) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("channels");
        pending.forEach(list::add);
        body.put("type", type);
        body.set("data", data);
        body.put("idempotency_key", key);
        long remaining = deadlineMillis - ApiCalls.elapsedMillis(started);
        calls.call("POST", "/api/broadcast", body, ApiCalls.RetryPolicy.ALL, key, remaining).whenComplete((answer, error) -> {
            if (error != null) {
                done.completeExceptionally(ApiCalls.unwrap(error));
                return;
            }
            try {
                JsonNode answered = answer.get("results");
                if (answered == null || !answered.isArray()) {
                    throw Json.badResponse("/api/broadcast", answer);
                }
                for (JsonNode entry : answered) {
                    BroadcastResult.ChannelResult r = broadcastEntry(entry);
                    results.put(r.channel(), r);
                }
            } catch (HeraldApiException e) {
                done.completeExceptionally(e);
                return;
            }
            List<String> again = pending.stream().filter(c -> {
                BroadcastResult.ChannelResult r = results.get(c);
                return r != null && !r.ok() && RETRYABLE_CHANNEL_CODES.contains(r.error());
            }).toList();
            long wait = Backoff.delayMillis(attempt, minBackoffMillis, maxBackoffMillis, 0, random);
            if (again.isEmpty() || ApiCalls.elapsedMillis(started) + wait >= deadlineMillis || done.isDone()) {
                done.complete(new BroadcastResult(order.stream().map(c -> results.getOrDefault(c,
                        new BroadcastResult.ChannelResult(c, 0, null, HeraldErrorCode.BAD_RESPONSE,
                                "no result for this channel"))).toList(), key));
                return;
            }
            CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS).execute(() ->
                    broadcastRound(again, type, data, key, started, attempt + 1, results, order, done));
        });
    }

    private static BroadcastResult.ChannelResult broadcastEntry(JsonNode entry) {
        if (entry == null || !entry.isObject()) {
            throw Json.badResponse("/api/broadcast", entry);
        }
        String channel = Json.text(entry, "channel");
        JsonNode error = entry.get("error");
        if (error != null && error.isObject()) {
            String word = error.path("code").asText();
            HeraldErrorCode code = HeraldErrorCode.ofProtocolWord(word).orElse(HeraldErrorCode.BAD_RESPONSE);
            String message = error.path("message").asText("");
            return new BroadcastResult.ChannelResult(channel, 0, null, code,
                    code == HeraldErrorCode.BAD_RESPONSE ? word + ": " + message : message);
        }
        return new BroadcastResult.ChannelResult(channel, Json.number(entry, "offset"), Json.text(entry, "epoch"), null, null);
    }

    // ---- reading ----------------------------------------------------------------------------

    public CompletableFuture<HistoryResult> historyAsync(String channel, HistoryOptions options) {
        List<String> query = new ArrayList<>();
        if (options.since() != null) {
            query.add("since=" + options.since());
        }
        if (options.epoch() != null) {
            query.add("epoch=" + encode(options.epoch()));
        }
        if (options.limit() != null) {
            query.add("limit=" + options.limit());
        }
        String suffix = query.isEmpty() ? "" : "?" + String.join("&", query);
        return calls.call("GET", "/api/history/" + encode(channel) + suffix, null, ApiCalls.RetryPolicy.ALL, null, deadlineMillis)
                .thenApply(r -> {
                    JsonNode pubs = r.get("publications");
                    if (pubs == null || !pubs.isArray()) {
                        throw Json.badResponse("publications", r);
                    }
                    List<Publication> list = new ArrayList<>();
                    for (JsonNode p : pubs) {
                        Publication pub = Publication.fromJson(p);
                        if (pub == null) {
                            throw Json.badResponse("publication", p);
                        }
                        list.add(pub);
                    }
                    return new HistoryResult(list, Json.number(r, "offset"), Json.text(r, "epoch"),
                            r.path("recovered").asBoolean(false));
                });
    }

    public HistoryResult history(String channel, HistoryOptions options) {
        return await(historyAsync(channel, options));
    }

    public HistoryResult history(String channel) {
        return history(channel, HistoryOptions.LATEST);
    }

    public CompletableFuture<PresenceResult> presenceAsync(String channel) {
        return calls.call("GET", "/api/presence/" + encode(channel), null, ApiCalls.RetryPolicy.ALL, null, deadlineMillis)
                .thenApply(r -> {
                    List<PresenceResult.Client> clients = new ArrayList<>();
                    for (JsonNode c : r.path("clients")) {
                        clients.add(new PresenceResult.Client(Json.text(c, "client"), Json.textOr(c, "user", ""),
                                c.get("info")));
                    }
                    return new PresenceResult(clients, r.path("users").asLong(0));
                });
    }

    public PresenceResult presence(String channel) {
        return await(presenceAsync(channel));
    }

    /** Channels with subscribers on the answering node, matching {@code pattern} ({@code chat:*}) when not null. */
    public CompletableFuture<List<ChannelInfo>> channelsAsync(String pattern) {
        String suffix = pattern == null ? "" : "?pattern=" + encode(pattern);
        return calls.call("GET", "/api/channels" + suffix, null, ApiCalls.RetryPolicy.ALL, null, deadlineMillis)
                .thenApply(r -> {
                    List<ChannelInfo> list = new ArrayList<>();
                    for (JsonNode c : r.path("channels")) {
                        list.add(new ChannelInfo(Json.text(c, "channel"), c.path("subscribers").asLong(0)));
                    }
                    return List.copyOf(list);
                });
    }

    public List<ChannelInfo> channels(String pattern) {
        return await(channelsAsync(pattern));
    }

    public List<ChannelInfo> channels() {
        return channels(null);
    }

    public CompletableFuture<ServerInfo> infoAsync() {
        return calls.call("GET", "/api/info", null, ApiCalls.RetryPolicy.ALL, null, deadlineMillis).thenApply(r -> {
            List<ServerInfo.Node> nodes = new ArrayList<>();
            for (JsonNode n : r.path("nodes")) {
                nodes.add(new ServerInfo.Node(Json.text(n, "node"), n.path("connections").asLong(0),
                        n.path("subscriptions").asLong(0), n.path("channels").asLong(0), Json.textOr(n, "started", null)));
            }
            return new ServerInfo(Json.text(r, "node"), Json.textOr(r, "version", null), nodes, r);
        });
    }

    public ServerInfo info() {
        return await(infoAsync());
    }

    // ---- user control -----------------------------------------------------------------------

    /** Subscribes the target's connections on the answering node; completes with how many. */
    public CompletableFuture<Long> subscribeAsync(Target target, String channel) {
        ObjectNode body = targetBody(target);
        body.put("channel", channel);
        return calls.call("POST", "/api/subscribe", body, ApiCalls.RetryPolicy.ALL, null, deadlineMillis)
                .thenApply(r -> Json.number(r, "subscribed"));
    }

    public long subscribe(Target target, String channel) {
        return await(subscribeAsync(target, channel));
    }

    public CompletableFuture<Long> unsubscribeAsync(Target target, String channel) {
        ObjectNode body = targetBody(target);
        body.put("channel", channel);
        return calls.call("POST", "/api/unsubscribe", body, ApiCalls.RetryPolicy.ALL, null, deadlineMillis)
                .thenApply(r -> Json.number(r, "unsubscribed"));
    }

    public long unsubscribe(Target target, String channel) {
        return await(unsubscribeAsync(target, channel));
    }

    /** Disconnects the target's connections (close 4010); completes with how many. Retried only on 429 and 503. */
    public CompletableFuture<Long> disconnectAsync(Target target, DisconnectOptions options) {
        ObjectNode body = targetBody(target);
        if (options.reconnect() != null) {
            body.put("reconnect", options.reconnect());
        }
        if (options.reason() != null) {
            body.put("reason", options.reason());
        }
        return calls.call("POST", "/api/disconnect", body, ApiCalls.RetryPolicy.NOTHING_DONE, null, deadlineMillis)
                .thenApply(r -> Json.number(r, "disconnected"));
    }

    public long disconnect(Target target, DisconnectOptions options) {
        return await(disconnectAsync(target, options));
    }

    public long disconnect(Target target) {
        return disconnect(target, DisconnectOptions.DEFAULT);
    }

    /** A fresh idempotency key: 122 random bits, well within the server's 1–256 characters. */
    public static String newIdempotencyKey() {
        return UUID.randomUUID().toString();
    }

    /** Closes the HTTP client; calls in flight fail. */
    @Override
    public void close() {
        calls.close();
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static String keyOf(PublishOptions options) {
        return options.idempotencyKey() != null ? options.idempotencyKey() : newIdempotencyKey();
    }

    private static JsonNode toJson(Object data) {
        if (data instanceof JsonNode node) {
            return node;
        }
        try {
            return Json.MAPPER.valueToTree(data);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("data does not serialize to JSON: " + e.getMessage(), e);
        }
    }

    private static ObjectNode targetBody(Target target) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (target.user() != null) {
            body.put("user", target.user());
        } else {
            body.put("client", target.client());
        }
        return body;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
        return d;
    }

    /** Waits for a call; its HeraldApiException is thrown as is. Interrupted: the call is cancelled. */
    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = ApiCalls.unwrap(e);
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            CancellationException c = new CancellationException("interrupted while waiting for Herald");
            c.initCause(e);
            throw c;
        }
    }
}
