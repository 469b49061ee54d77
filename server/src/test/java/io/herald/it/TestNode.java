package io.herald.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.auth.Authenticator;
import io.herald.auth.TokenIssuer;
import io.herald.config.AdminConfig;
import io.herald.config.ClientConfig;
import io.herald.config.HeraldConfig;
import io.herald.config.HttpConfig;
import io.herald.config.JwtConfig;
import io.herald.config.LimitsConfig;
import io.herald.config.OutboxConfig;
import io.herald.config.TlsConfig;
import io.herald.config.NamespaceConfig;
import io.herald.config.ProxyConfig;
import io.herald.engine.Engine;
import io.herald.engine.memory.MemoryEngine;
import io.herald.protocol.JsonCodec;
import io.herald.transport.HeraldServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A real Herald node on 127.0.0.1 and a free port, with helpers to talk to it over HTTP and WebSocket. */
final class TestNode implements AutoCloseable {
    static final String API_KEY = "test-api-key";
    static final String SECRET = "test-secret-that-is-at-least-32-bytes-long";

    final HeraldServer server;
    final HeraldConfig config;
    private final HttpClient http = HttpClient.newHttpClient();
    final TokenIssuer issuer = new TokenIssuer(SECRET);

    private TestNode(HeraldConfig config, Engine engine) throws InterruptedException {
        this.config = config;
        this.server = HeraldServer.start(config, engine, Authenticator.forConfig(config.jwt()));
    }

    /** Builder for the node's configuration; defaults: anonymous refused, no namespaces, not dev mode. */
    static final class Builder {
        private final Map<String, NamespaceConfig> namespaces = new HashMap<>();
        private NamespaceConfig defaults = NamespaceConfig.DEFAULTS;
        private boolean anonymous;
        private boolean devMode;
        /** Command limits out of the way: tests about limits set their own. */
        private ClientConfig client = ClientConfig.DEFAULTS.withCommandLimits(1000, 1_000_000, 1_000_000);
        private LimitsConfig limits = LimitsConfig.UNLIMITED;
        /** Public endpoints unlimited: tests poll /metrics in tight loops; tests about that limit set their own. */
        private HttpConfig http = HttpConfig.DEFAULTS.withRequests(HttpConfig.DEFAULTS.maxPipelined(), 0);
        private TlsConfig tls;
        private Duration drainWindow = Duration.ofSeconds(1);
        private JwtConfig jwt = JwtConfig.hmac(SECRET);
        private List<String> origins = List.of();
        /** Null: no outbox reader. */
        private OutboxConfig outbox;
        private ProxyConfig proxy = ProxyConfig.NONE;
        private List<io.herald.config.WebhookConfig> webhooks = List.of();
        private AdminConfig admin = AdminConfig.OFF;
        private io.herald.config.PusherConfig pusher = io.herald.config.PusherConfig.NONE;
        /** Null: a memory engine with the builder's {@code limits.max_channels}. */
        private Supplier<Engine> engine;

        /** The node's engine (default: a new memory engine); the node closes it. */
        Builder engine(Supplier<Engine> e) {
            engine = e;
            return this;
        }

        Builder namespace(String name, NamespaceConfig ns) {
            namespaces.put(name, ns);
            return this;
        }

        Builder defaults(NamespaceConfig ns) {
            defaults = ns;
            return this;
        }

        Builder anonymous(boolean allow) {
            anonymous = allow;
            return this;
        }

        Builder devMode() {
            devMode = true;
            anonymous = true;
            defaults = defaults.withPublic(true);
            return this;
        }

        Builder client(ClientConfig c) {
            client = c;
            return this;
        }

        Builder jwt(JwtConfig j) {
            jwt = j;
            return this;
        }

        Builder limits(LimitsConfig l) {
            limits = l;
            return this;
        }

        Builder tls(TlsConfig t) {
            tls = t;
            return this;
        }

        Builder drainWindow(Duration d) {
            drainWindow = d;
            return this;
        }

        Builder http(HttpConfig h) {
            http = h;
            return this;
        }

        Builder outbox(OutboxConfig o) {
            outbox = o;
            return this;
        }

        Builder proxy(ProxyConfig p) {
            proxy = p;
            return this;
        }

        Builder webhooks(List<io.herald.config.WebhookConfig> w) {
            webhooks = w;
            return this;
        }

        Builder admin(AdminConfig a) {
            admin = a;
            return this;
        }

        Builder pusher(io.herald.config.PusherConfig p) {
            pusher = p;
            return this;
        }

        Builder origins(List<String> o) {
            origins = o;
            return this;
        }

        TestNode start() throws InterruptedException {
            Engine e = engine != null ? engine.get() : MemoryEngine.create(limits.maxChannels());
            return new TestNode(new HeraldConfig("127.0.0.1", 0, devMode, API_KEY, anonymous, jwt, client,
                    namespaces, defaults, origins, e.name(), limits, tls, drainWindow, null, http, outbox, proxy, webhooks, admin, pusher), e);
        }
    }

    static Builder builder() {
        return new Builder();
    }

    static NamespaceConfig ns(int historySize, Duration ttl, boolean presence, boolean joinLeave, boolean isPublic,
                              boolean clientPublish) {
        return new NamespaceConfig(historySize, ttl, presence, joinLeave, isPublic, clientPublish);
    }

    /** A channel name no other test uses on a shared node. */
    static String unique(String prefix) {
        return prefix + System.nanoTime();
    }

    int port() {
        return server.port();
    }

    URI wsUri(String token) {
        return URI.create("ws://127.0.0.1:" + port() + "/ws" + (token == null ? "" : "?token=" + token));
    }

    WsClient connect(String token) {
        return WsClient.open(wsUri(token));
    }

    /** Connects with a token for {@code user} allowed to subscribe to {@code channels} patterns. */
    WsClient connectAs(String user, String... channels) {
        WsClient c = connect(token(user, List.of(channels), List.of(), List.of()));
        c.expect("connected");
        return c;
    }

    String token(String user, List<String> channels, List<String> publish, List<String> subscribe) {
        return issuer.issue(user, channels, publish, subscribe, null, Duration.ofHours(1));
    }

    String token(ObjectNode claims) {
        return issuer.sign(claims);
    }

    /** A server API call; returns status and parsed JSON body. */
    Reply api(String method, String path, String body) {
        return http(method, path, body, "apikey " + API_KEY);
    }

    Reply http(String method, String path, String body, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = res.body().isEmpty() ? null : JsonCodec.MAPPER.readTree(res.body());
            return new Reply(res.statusCode(), json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Publishes through the server API and returns the offset. */
    long publish(String channel, String type, String dataJson) {
        Reply r = api("POST", "/api/publish", "{\"channel\":\"" + channel + "\",\"type\":\"" + type + "\",\"data\":" + dataJson + "}");
        if (r.status() != 200) {
            throw new AssertionError("publish failed: " + r);
        }
        return r.json().get("offset").asLong();
    }

    /** A plain HTTP GET on this node, returning the raw response (status, headers, body as text). */
    HttpResponse<String> get(String path) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** A server API call returning the raw response, for headers such as Retry-After. */
    HttpResponse<String> apiRaw(String method, String path, String body) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "apikey " + API_KEY)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The Prometheus text of GET /metrics. */
    String metricsText() {
        try {
            HttpResponse<String> res = get("/metrics");
            if (res.statusCode() != 200) {
                throw new AssertionError("GET /metrics answered " + res.statusCode() + ": " + res.body());
            }
            return res.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The value of one sample of the current scrape, e.g. {@code metric("herald_connections")} or
     * {@code metric("herald_rate_limited_total{limit=\"api\"}")}; labels given must all be present
     * on the sample (others may be too). The sum over matching samples; 0 when none (counters with
     * labels appear on first use).
     */
    double metric(String selector) {
        return Metrics.value(metricsText(), selector);
    }

    /** Parses samples of Prometheus text format (enough for the tests: no escapes inside label values). */
    static final class Metrics {
        private Metrics() {
        }

        static boolean has(String text, String name) {
            return text.lines().anyMatch(l -> !l.startsWith("#") && (l.startsWith(name + " ") || l.startsWith(name + "{")));
        }

        static double value(String text, String selector) {
            String name = selector.contains("{") ? selector.substring(0, selector.indexOf('{')) : selector;
            List<String> wanted = selector.contains("{")
                    ? List.of(selector.substring(selector.indexOf('{') + 1, selector.lastIndexOf('}')).split(","))
                    : List.of();
            double sum = 0;
            for (String line : text.lines().toList()) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String sampleName;
                String labels = "";
                int brace = line.indexOf('{');
                int space = line.lastIndexOf(' ');
                if (brace >= 0 && brace < space) {
                    sampleName = line.substring(0, brace);
                    labels = line.substring(brace + 1, line.lastIndexOf('}'));
                } else {
                    sampleName = line.substring(0, line.indexOf(' '));
                }
                if (!sampleName.equals(name)) {
                    continue;
                }
                List<String> have = List.of(labels.split(","));
                if (!have.containsAll(wanted.stream().filter(w -> !w.isEmpty()).toList())) {
                    continue;
                }
                sum += Double.parseDouble(line.substring(space + 1));
            }
            return sum;
        }
    }

    record Reply(int status, JsonNode json) {
        String errorCode() {
            return json.path("error").path("code").asText();
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
