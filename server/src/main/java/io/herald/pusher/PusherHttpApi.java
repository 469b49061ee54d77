package io.herald.pusher;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.api.ApiException;
import io.herald.api.BackendPublisher;
import io.herald.config.HeraldConfig;
import io.herald.engine.Engine;
import io.herald.hub.Hub;
import io.herald.limits.KeyedRateLimiter;
import io.herald.metrics.HeraldMetrics;
import io.herald.metrics.RateLimit;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Pusher Channels HTTP API on {@code /apps/{id}/...}, so that Pusher's server SDKs publish to and
 * query Herald unchanged: {@code POST events} and {@code batch_events} ({@link PusherTrigger}), {@code
 * GET channels}, {@code channels/{name}} and {@code channels/{name}/users} ({@link PusherQueries}),
 * and {@code POST users/{id}/terminate_connections}. Requests are signed ({@link PusherRequestAuth});
 * answers are JSON on success and Pusher's plain-text explanations on error.
 *
 * <p>Limits: the transport checks the signature from the head before reading a body
 * ({@link #refusal}) and caps bodies at {@link #MAX_BODY_BYTES}; each app has {@code limits.api_rate}
 * requests per second (403 past it, with {@code Retry-After}) and at most {@link #MAX_IN_FLIGHT}
 * requests awaiting the engine (503 past it). Publications take the server API's path
 * ({@link BackendPublisher}: the drain gate, the namespace's history, {@code limits.max_channels}).
 * Thread-safe; never blocks.
 */
public final class PusherHttpApi {
    private static final Logger log = LoggerFactory.getLogger(PusherHttpApi.class);
    /** Largest request body: ten events of 10 KB of data, escaped, with room to spare. */
    public static final int MAX_BODY_BYTES = 256 * 1024;
    /** Requests of one app awaiting the engine at once. */
    static final int MAX_IN_FLIGHT = 256;
    /** The metric label of requests whose app id is not configured. */
    static final String UNKNOWN_APP = "unknown";

    private final PusherApps apps;
    private final PusherAdapter adapter;
    private final HeraldConfig config;
    private final HeraldMetrics metrics;
    private final KeyedRateLimiter<String> rate;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final PusherTrigger trigger;
    private final PusherQueries queries;
    private final LongSupplier clockSeconds;

    public PusherHttpApi(PusherAdapter adapter, HeraldConfig config, Engine engine, Hub hub, BackendPublisher publisher,
                         HeraldMetrics metrics) {
        this(adapter, config, engine, hub, publisher, metrics, () -> System.currentTimeMillis() / 1000);
    }

    PusherHttpApi(PusherAdapter adapter, HeraldConfig config, Engine engine, Hub hub, BackendPublisher publisher,
                  HeraldMetrics metrics, LongSupplier clockSeconds) {
        this.apps = adapter.apps();
        this.adapter = adapter;
        this.config = config;
        this.metrics = metrics;
        this.clockSeconds = clockSeconds;
        this.rate = new KeyedRateLimiter<>(config.limits().apiRate());
        this.queries = new PusherQueries(config, engine, hub);
        this.trigger = new PusherTrigger(publisher, queries);
    }

    /** Whether {@code path} is this API's. */
    public static boolean handles(String rawPath) {
        return rawPath.startsWith(PusherRequestAuth.APPS_PREFIX);
    }

    /**
     * The answer to a request refused from its head alone (unknown app, bad key, version, timestamp or
     * signature, or a declared body over {@link #MAX_BODY_BYTES}), or null when its body may be read.
     */
    public PusherApiResponse refusal(String method, String rawPath, Map<String, List<String>> query, long contentLength) {
        try {
            PusherRequestAuth.check(apps, method, rawPath, query, clockSeconds.getAsLong());
            if (contentLength > MAX_BODY_BYTES) {
                throw tooLarge();
            }
            return null;
        } catch (PusherApiException e) {
            count(PusherRequestAuth.appId(rawPath), e.error().label());
            return e.response();
        }
    }

    /** Handles one request; the future always completes normally, errors become Pusher's text answers. */
    public CompletableFuture<PusherApiResponse> handle(PusherApiRequest req) {
        PusherApp app;
        try {
            app = PusherRequestAuth.check(apps, req.method(), req.rawPath(), req.query(), clockSeconds.getAsLong());
            if (req.body().length > MAX_BODY_BYTES) {
                throw tooLarge();
            }
            PusherRequestAuth.checkBody(req.query(), req.body());
            long wait = rate.acquire(app.id());
            if (wait > 0) {
                metrics.rateLimited(RateLimit.PUSHER_API);
                throw new PusherApiException(PusherApiError.OVER_QUOTA, "Over quota: more than "
                        + config.limits().apiRate() + " requests per second to the HTTP API of app " + app.id()
                        + "; retry in " + wait + "s", wait);
            }
        } catch (PusherApiException e) {
            count(PusherRequestAuth.appId(req.rawPath()), e.error().label());
            return CompletableFuture.completedFuture(e.response());
        }
        AtomicInteger busy = inFlight.computeIfAbsent(app.id(), k -> new AtomicInteger());
        if (busy.incrementAndGet() > MAX_IN_FLIGHT) {
            busy.decrementAndGet();
            metrics.rateLimited(RateLimit.PUSHER_API);
            return CompletableFuture.completedFuture(fail(app, new PusherApiException(PusherApiError.UNAVAILABLE,
                    "Too many requests of app " + app.id() + " in flight on this node; retry shortly", 1)));
        }
        CompletableFuture<PusherApiResponse> out;
        try {
            out = route(app, req);
        } catch (PusherApiException | RuntimeException e) {
            // a bug must still answer (500) and give back the in-flight slot
            out = CompletableFuture.failedFuture(e);
        }
        return out.handle((res, e) -> {
            busy.decrementAndGet();
            if (e == null) {
                count(app.id(), PusherApiError.OK_LABEL);
                return res;
            }
            return fail(app, failure(e));
        });
    }

    private CompletableFuture<PusherApiResponse> route(PusherApp app, PusherApiRequest req) throws PusherApiException {
        String rest = req.rawPath().substring(PusherRequestAuth.APPS_PREFIX.length());
        int slash = rest.indexOf('/');
        rest = slash < 0 ? "" : rest.substring(slash);
        String method = req.method();
        if (rest.equals("/events") && method.equals("POST")) {
            return trigger.event(app, json(req.body()));
        }
        if (rest.equals("/batch_events") && method.equals("POST")) {
            return trigger.batch(app, json(req.body()));
        }
        if (rest.equals("/channels") && method.equals("GET")) {
            return queries.channels(app, req.param("filter_by_prefix"), req.param("info"));
        }
        if (rest.startsWith("/channels/") && method.equals("GET")) {
            String name = rest.substring("/channels/".length());
            if (name.endsWith("/users")) {
                return queries.users(app, decode(name.substring(0, name.length() - "/users".length())));
            }
            if (name.indexOf('/') < 0) {
                return queries.channel(app, decode(name), req.param("info"));
            }
        }
        if (rest.startsWith("/users/") && rest.endsWith("/terminate_connections") && method.equals("POST")) {
            String user = rest.substring("/users/".length(), rest.length() - "/terminate_connections".length());
            return terminate(app, decode(user));
        }
        throw new PusherApiException(PusherApiError.NOT_FOUND, "Not found: " + method + " " + clip(req.rawPath()));
    }

    /** Ends every connection of the app's user on every node ({@link PusherAdapter#terminateConnections}). */
    private CompletableFuture<PusherApiResponse> terminate(PusherApp app, String userId) throws PusherApiException {
        if (userId.isEmpty() || userId.length() > PusherApp.MAX_NAME_LENGTH) {
            throw PusherApiException.badRequest("Invalid user id: 1-" + PusherApp.MAX_NAME_LENGTH + " characters");
        }
        adapter.terminateConnections(app, userId);
        return CompletableFuture.completedFuture(PusherApiResponse.ok(EMPTY));
    }

    static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

    /** The body as a JSON object. */
    private static JsonNode json(byte[] body) throws PusherApiException {
        if (body.length == 0) {
            throw PusherApiException.badRequest("Request body must be a JSON object");
        }
        try {
            JsonNode node = JsonCodec.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw PusherApiException.badRequest("Request body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw PusherApiException.badRequest("Request body is not valid JSON");
        }
    }

    /** The answer to a body over the transport's cap (a chunked body it could not refuse from the head). */
    public static PusherApiResponse bodyTooLarge() {
        return tooLarge().response();
    }

    private static PusherApiException tooLarge() {
        return new PusherApiException(PusherApiError.TOO_LARGE, "Request body is larger than " + MAX_BODY_BYTES + " bytes");
    }

    /** An engine failure as Pusher's status classes: 403 for a limit, 503 retry, 504 unknown outcome, 500. */
    private static PusherApiException failure(Throwable t) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof PusherApiException e) {
            return e;
        }
        ApiException e = BackendPublisher.classify(cause);
        PusherApiError error = switch (e.code()) {
            case LIMIT_EXCEEDED -> PusherApiError.OVER_QUOTA;
            case NOT_AVAILABLE -> PusherApiError.UNAVAILABLE;
            case UNKNOWN_OUTCOME -> PusherApiError.UNKNOWN_OUTCOME;
            default -> PusherApiError.INTERNAL;
        };
        if (error == PusherApiError.INTERNAL) {
            log.warn("Pusher HTTP API request failed", cause);
        }
        // Pusher's requests carry no idempotency key to retry with, so this one says so in its own words
        return new PusherApiException(error, error == PusherApiError.UNKNOWN_OUTCOME
                ? "The engine did not answer in time: the event may or may not have been published" : e.getMessage());
    }

    private PusherApiResponse fail(PusherApp app, PusherApiException e) {
        count(app.id(), e.error().label());
        return e.response();
    }

    private void count(String appId, String outcome) {
        metrics.pusherApiRequest(appId != null && apps.byId(appId).isPresent() ? appId : UNKNOWN_APP, outcome);
    }

    private static String decode(String raw) throws PusherApiException {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw PusherApiException.badRequest("Path is not valid percent-encoding");
        }
    }

    static String clip(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
