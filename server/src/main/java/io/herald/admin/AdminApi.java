package io.herald.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.ApiException;
import io.herald.api.ApiRequest;
import io.herald.api.ApiResponse;
import io.herald.api.ServerApi;
import io.herald.config.HeraldConfig;
import io.herald.engine.Engine;
import io.herald.hub.Hub;
import io.herald.limits.KeyedRateLimiter;
import io.herald.metrics.HeraldMetrics;
import io.herald.metrics.RateLimit;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin web UI: its page at {@code /admin} and its API under {@code /admin/api/}, which only a
 * logged-in session (the {@value AdminSessions#COOKIE} cookie) may call. Reads and actions go through
 * the server API ({@link ServerApi}, with this node's key, which never leaves the node) or, for what
 * needs every node (figures, channels, connections, problems), through {@link ClusterNotes}.
 *
 * <p>Cross-site requests: the cookie is {@code SameSite=Strict}, and every POST must carry
 * {@code X-Herald-Admin: 1} (which a page of another site cannot send without a CORS preflight, which
 * {@code /admin} never grants) and, when it has an {@code Origin}, this host's. Bodies are capped at
 * {@value #MAX_BODY} bytes, requests per address at {@value #RATE_PER_IP} a second (burst twice that),
 * logins per address by {@link AdminSessions}. Runs its own thread for sampling and deadlines and
 * another for password checks; never blocks the caller. Thread-safe.
 */
public final class AdminApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    static final int MAX_BODY = 64 * 1024;
    static final int RATE_PER_IP = 50;
    /** Logins being checked at once (PBKDF2 is slow on purpose); more are answered 503. */
    static final int MAX_PENDING_LOGINS = 4;
    /** Connections listed per node in a lookup, channels per node in a search. */
    static final int MAX_LOOKUP = 100;
    static final int MAX_CHANNELS = 1000;
    private static final String PREFIX = "/admin/api/";

    private final HeraldConfig config;
    private final ServerApi api;
    private final String apiAuthorization;
    private final AdminSessions sessions;
    private final AdminAssets assets = new AdminAssets();
    private final KeyedRateLimiter<InetAddress> perIp = new KeyedRateLimiter<>(RATE_PER_IP);
    private final AtomicInteger pendingLogins = new AtomicInteger();
    private final HeraldMetrics metrics;
    private final ScheduledExecutorService thread;
    /** Checks passwords (PBKDF2 is slow on purpose), apart from {@link #thread} so samples and deadlines keep time. */
    private final java.util.concurrent.ExecutorService logins;
    private final ClusterNotes cluster;
    private final NodeAnswers answers;
    private final String nodeId;
    private final String version;
    private final Engine engine;

    public AdminApi(HeraldConfig config, Engine engine, Hub hub, ServerApi api, HeraldMetrics metrics, String nodeId,
                    String version) {
        this.config = config;
        this.api = api;
        this.engine = engine;
        this.metrics = metrics;
        this.nodeId = nodeId;
        this.version = version;
        this.apiAuthorization = "apikey " + config.apiKey();
        this.sessions = new AdminSessions(config.admin(), config.apiKey());
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-admin");
            t.setDaemon(true);
            return t;
        });
        this.logins = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "herald-admin-login");
            t.setDaemon(true);
            return t;
        });
        NodeSamples samples = new NodeSamples(metrics, api::load);
        this.answers = new NodeAnswers(engine, hub, metrics, samples, api::load, version);
        this.cluster = new ClusterNotes(engine.broker(), engine.nodes(), nodeId, thread, answers);
        thread.scheduleAtFixedRate(() -> {
            try {
                samples.sample();
            } catch (RuntimeException e) {
                log.warn("admin sample failed", e);
            }
        }, NodeSamples.INTERVAL_MILLIS, NodeSamples.INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Whether the front end is bundled in this jar. */
    public boolean built() {
        return assets.built();
    }

    /** Handles one request to {@code /admin} or below; the future always completes normally. */
    public CompletableFuture<AdminResponse> handle(AdminRequest req) {
        if (!req.path().startsWith(PREFIX)) {
            if (!req.method().equals("GET") && !req.method().equals("HEAD")) {
                return done(error(new ApiException(ErrorCode.BAD_REQUEST, "the admin page takes GET only")));
            }
            return done(assets.serve(req.path()));
        }
        try {
            if (req.remote() != null) {
                long wait = perIp.acquire(req.remote());
                if (wait > 0) {
                    return done(retryAfter(error(new ApiException(ErrorCode.TOO_MANY_REQUESTS,
                            "more than " + RATE_PER_IP + " admin requests per second from this address")), wait));
                }
            }
            if (req.body().length > MAX_BODY) {
                throw new ApiException(ErrorCode.MESSAGE_TOO_LARGE, "admin request bodies are at most " + MAX_BODY + " bytes");
            }
            String route = req.path().substring(PREFIX.length());
            if (route.equals("login")) {
                requireMethod(req, "POST");
                checkSameSite(req);
                return login(req);
            }
            String token = req.cookieValue(AdminSessions.COOKIE);
            if (!sessions.valid(token)) {
                throw new ApiException(ErrorCode.UNAUTHORIZED, "log in first (POST /admin/api/login)");
            }
            if (!req.method().equals("GET")) {
                checkSameSite(req);
            }
            return route(req, route, token).exceptionally(e -> error(unwrap(e)));
        } catch (ApiException e) {
            return done(error(e));
        }
    }

    private CompletableFuture<AdminResponse> route(AdminRequest req, String route, String token) throws ApiException {
        if (route.startsWith("presence/")) {
            requireMethod(req, "GET");
            return server("GET", "/api/" + route, req.query(), new byte[0]);
        }
        if (route.startsWith("history/")) {
            requireMethod(req, "GET");
            return server("GET", "/api/" + route, req.query(), new byte[0]);
        }
        switch (route) {
            case "session" -> {
                requireMethod(req, "GET");
                return done(ok(JsonCodec.object(g -> {
                    g.writeStringField("node", nodeId);
                    g.writeStringField("version", version);
                    g.writeStringField("engine", engine.name());
                })));
            }
            case "logout" -> {
                requireMethod(req, "POST");
                sessions.close(token);
                return done(new AdminResponse(200, AdminResponse.JSON, "{}".getBytes(StandardCharsets.UTF_8),
                        Map.of("Set-Cookie", cookie("", 0, req.secure()), "Cache-Control", "no-store")));
            }
            case "publish", "disconnect", "unsubscribe" -> {
                requireMethod(req, "POST");
                log.info("admin UI from {}: {} {}", req.remote() == null ? "?" : req.remote().getHostAddress(), route,
                        clip(new String(req.body(), StandardCharsets.UTF_8)));
                return server("POST", "/api/" + route, Map.of(), req.body());
            }
            case "overview" -> {
                requireMethod(req, "GET");
                ObjectNode q = JsonCodec.MAPPER.createObjectNode().put("since", longParam(req, "since"));
                return Overview.of(cluster.ask(Question.STATUS, q), engine, nodeId).thenApply(AdminApi::ok);
            }
            case "problems" -> {
                requireMethod(req, "GET");
                return cluster.ask(Question.PROBLEMS, JsonCodec.MAPPER.createObjectNode()).thenApply(AdminApi::byNode);
            }
            case "channels" -> {
                requireMethod(req, "GET");
                String pattern = req.param("pattern");
                ObjectNode q = JsonCodec.MAPPER.createObjectNode().put("pattern", pattern == null ? "" : pattern);
                return cluster.ask(Question.CHANNELS, q).thenApply(a -> ok(Overview.channels(a)));
            }
            case "lookup" -> {
                requireMethod(req, "GET");
                String user = req.param("user");
                String client = req.param("client");
                if ((user == null || user.isEmpty()) == (client == null || client.isEmpty())) {
                    throw new ApiException(ErrorCode.BAD_REQUEST, "give exactly one of ?user= and ?client=");
                }
                ObjectNode q = JsonCodec.MAPPER.createObjectNode();
                q.put(user != null && !user.isEmpty() ? "user" : "client", user != null && !user.isEmpty() ? user : client);
                return cluster.ask(Question.LOOKUP, q).thenApply(AdminApi::byNode);
            }
            default -> throw new ApiException(ErrorCode.NOT_FOUND, "no such admin endpoint: " + req.method() + " "
                    + req.path());
        }
    }

    /** The server API's answer to the same request, made with this node's key. */
    private CompletableFuture<AdminResponse> server(String method, String path, Map<String, List<String>> query,
                                                    byte[] body) {
        return api.handle(new ApiRequest(method, path, query, apiAuthorization, body)).thenApply(AdminApi::of);
    }

    private static AdminResponse of(ApiResponse r) {
        AdminResponse out = AdminResponse.json(r.status(), r.body());
        return r.retryAfter() > 0 ? retryAfter(out, r.retryAfter()) : out;
    }

    private CompletableFuture<AdminResponse> login(AdminRequest req) throws ApiException {
        if (req.remote() != null) {
            long wait = sessions.loginWait(req.remote());
            if (wait > 0) {
                metrics.rateLimited(RateLimit.ADMIN_LOGIN);
                return done(retryAfter(error(new ApiException(ErrorCode.TOO_MANY_REQUESTS,
                        "too many login attempts from this address; retry in " + wait + "s")), wait));
            }
        }
        String password;
        try {
            JsonNode body = JsonCodec.MAPPER.readTree(req.body());
            JsonNode p = body == null ? null : body.get("password");
            if (p == null || !p.isTextual()) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "send {\"password\":\"...\"}");
            }
            password = p.textValue();
        } catch (IOException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "the body must be JSON {\"password\":\"...\"}");
        }
        if (pendingLogins.incrementAndGet() > MAX_PENDING_LOGINS) {
            pendingLogins.decrementAndGet();
            throw new ApiException(ErrorCode.NOT_AVAILABLE, "too many logins in progress; retry shortly");
        }
        CompletableFuture<AdminResponse> out = new CompletableFuture<>();
        try {
            logins.execute(() -> {
                try {
                    if (!sessions.passwordMatches(password)) {
                        log.warn("admin UI: wrong password from {}", req.remote() == null ? "?" : req.remote().getHostAddress());
                        out.complete(error(new ApiException(ErrorCode.UNAUTHORIZED, "wrong password")));
                        return;
                    }
                    String token = sessions.open();
                    out.complete(new AdminResponse(200, AdminResponse.JSON, JsonCodec.object(g -> {
                        g.writeStringField("node", nodeId);
                        g.writeStringField("version", version);
                    }), Map.of("Set-Cookie", cookie(token, sessions.ttlSeconds(), req.secure()), "Cache-Control", "no-store")));
                } finally {
                    pendingLogins.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            pendingLogins.decrementAndGet();
            throw new ApiException(ErrorCode.NOT_AVAILABLE, "the node is shutting down");
        }
        return out;
    }

    /** The session cookie: never readable by scripts, never sent cross-site, only over TLS when served over TLS. */
    static String cookie(String value, long maxAgeSeconds, boolean secure) {
        return AdminSessions.COOKIE + "=" + value + "; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=" + maxAgeSeconds
                + (secure ? "; Secure" : "");
    }

    /** Refuses a state-changing request another site could have made. */
    private static void checkSameSite(AdminRequest req) throws ApiException {
        if (!"1".equals(req.adminHeader())) {
            throw new ApiException(ErrorCode.PERMISSION_DENIED, "admin actions need the header X-Herald-Admin: 1"
                    + " (sent by the admin page; refused from other sites)");
        }
        String origin = req.origin();
        if (origin != null && req.host() != null) {
            String expected = (req.secure() ? "https://" : "http://") + req.host();
            if (!origin.equalsIgnoreCase(expected)) {
                throw new ApiException(ErrorCode.PERMISSION_DENIED, "cross-site admin request refused (Origin "
                        + clip(origin) + " is not this server)");
            }
        }
    }

    private static void requireMethod(AdminRequest req, String method) throws ApiException {
        if (!req.method().equals(method)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, req.path() + " takes " + method);
        }
    }

    private static long longParam(AdminRequest req, String name) throws ApiException {
        String v = req.param(name);
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be an integer (epoch milliseconds)");
        }
    }

    /** Answers by node: {@code {"nodes":{"<id>":{...}}}}. */
    private static AdminResponse byNode(Map<String, JsonNode> answers) {
        return ok(JsonCodec.object(g -> {
            g.writeObjectFieldStart("nodes");
            for (Map.Entry<String, JsonNode> e : answers.entrySet()) {
                g.writeFieldName(e.getKey());
                g.writeTree(e.getValue());
            }
            g.writeEndObject();
        }));
    }

    private static AdminResponse ok(byte[] body) {
        return AdminResponse.json(200, body);
    }

    private static AdminResponse error(ApiException e) {
        return AdminResponse.json(e.status(), ServerApi.error(e).body());
    }

    private static AdminResponse retryAfter(AdminResponse r, long seconds) {
        Map<String, String> h = new HashMap<>(r.headers());
        h.put("Retry-After", Long.toString(seconds));
        return new AdminResponse(r.status(), r.contentType(), r.body(), Map.copyOf(h));
    }

    private static ApiException unwrap(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof ApiException a) {
            return a;
        }
        if (c instanceof IllegalStateException) {
            return new ApiException(ErrorCode.NOT_AVAILABLE, c.getMessage());
        }
        log.warn("admin request failed", c);
        return new ApiException(ErrorCode.INTERNAL, "the admin request failed; try again");
    }

    private static String clip(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        logins.shutdownNow();
    }
}
