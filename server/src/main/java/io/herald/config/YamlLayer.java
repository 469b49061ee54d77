package io.herald.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.herald.proxy.ProxyKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lowest layer: reads the YAML file into a {@link ConfigDraft}. Strict on purpose: an unknown key
 * or a value of the wrong type is an error naming its path, because a silently ignored typo in a
 * security setting (say {@code jwt.hmac_secrt}) would otherwise start a server in a different mode.
 */
final class YamlLayer {
    private static final ObjectMapper YAML =
            YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private static final Set<String> ROOT_KEYS = Set.of("host", "port", "api_key", "allow_anonymous", "engine",
            "allowed_origins", "jwt", "client", "limits", "tls", "shutdown", "namespaces", "namespace_defaults", "redis",
            "http", "metrics", "outbox", "proxy", "webhooks", "admin", "pusher");
    private static final Set<String> PROXY_KEYS = Set.of("connect", "refresh", "subscribe", "publish", "rpc",
            "timeout", "headers", "static_headers", "max_pending", "max_response_size");
    private static final Set<String> PROXY_KIND_KEYS = Set.of("url");
    private static final Set<String> WEBHOOK_KEYS = Set.of("url", "secret", "events", "vacate_delay", "max_age",
            "timeout", "max_in_flight", "max_queue");
    private static final Set<String> ADMIN_KEYS = Set.of("enabled", "password", "password_hash", "session_ttl");
    private static final Set<String> HTTP_KEYS = Set.of("head_timeout", "idle_timeout", "min_body_rate",
            "max_buffered_bodies", "max_pipelined", "public_rate_per_ip");
    private static final Set<String> OUTBOX_KEYS = Set.of("url", "table", "poll_interval", "batch_size");
    private static final Set<String> METRICS_KEYS = Set.of("auth");
    private static final Set<String> REDIS_KEYS = Set.of("url", "cluster", "prefix", "presence_ttl", "timeout");
    private static final Set<String> JWT_KEYS = Set.of("hmac_secret", "rsa_public_key", "ec_public_key",
            "jwks_url", "audience", "issuer", "allow_no_exp", "refresh_grace", "refresh_ahead", "jwks_refresh");
    private static final Set<String> CLIENT_KEYS = Set.of("ping", "pong_timeout", "connect_timeout", "max_frame_size",
            "max_queue_bytes", "write_timeout", "max_subscriptions", "command_rate", "command_burst");
    private static final Set<String> LIMITS_KEYS = Set.of("max_connections", "connections_per_user",
            "connection_rate_per_ip", "api_rate", "max_channels");
    private static final Set<String> TLS_KEYS = Set.of("cert", "key");
    private static final Set<String> SHUTDOWN_KEYS = Set.of("drain_window");
    private static final Set<String> NAMESPACE_KEYS = Set.of("history_size", "history_ttl", "presence",
            "join_leave", "public", "client_publish", "subscribe_proxy", "publish_proxy");

    private final Path file;
    private final ConfigDraft draft;

    private YamlLayer(Path file, ConfigDraft draft) {
        this.file = file;
        this.draft = draft;
    }

    /** Reads {@code file} into {@code draft}; an empty file sets nothing. */
    static void apply(Path file, ConfigDraft draft) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file not found: " + file.toAbsolutePath());
        }
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": invalid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return;
        }
        if (!root.isObject()) {
            throw new ConfigException(file + ": the top level must be a mapping of keys to values");
        }
        new YamlLayer(file, draft).readRoot(new YamlSection("", (ObjectNode) root));
    }

    private void readRoot(YamlSection root) {
        root.requireKnown(ROOT_KEYS);
        String host = root.text("host");
        if (host != null) {
            draft.host = ConfigRules.host(host, "host");
        }
        Long port = root.integer("port");
        if (port != null) {
            draft.port = ConfigRules.port(port, "port");
        }
        String apiKey = root.text("api_key");
        if (apiKey != null) {
            draft.apiKey = ConfigRules.apiKey(apiKey, "api_key");
        }
        draft.allowAnonymous = orElse(root.bool("allow_anonymous"), draft.allowAnonymous);
        String engine = root.text("engine");
        if (engine != null) {
            draft.engine = ConfigRules.engine(engine, "engine");
        }
        List<String> origins = root.texts("allowed_origins");
        if (origins != null) {
            for (int i = 0; i < origins.size(); i++) {
                ConfigRules.origin(origins.get(i), "allowed_origins[" + i + "]");
            }
            draft.allowedOrigins = origins;
        }
        YamlSection jwt = root.section("jwt");
        if (jwt != null) {
            readJwt(jwt);
        }
        YamlSection client = root.section("client");
        if (client != null) {
            draft.client = readClient(client);
        }
        YamlSection limits = root.section("limits");
        if (limits != null) {
            draft.limits = readLimits(limits);
        }
        YamlSection http = root.section("http");
        if (http != null) {
            draft.http = readHttp(http, draft.http);
        }
        YamlSection metrics = root.section("metrics");
        if (metrics != null) {
            metrics.requireKnown(METRICS_KEYS);
            String auth = metrics.text("auth");
            if (auth != null) {
                draft.http = draft.http.withMetricsAuth(ConfigRules.secretToken(auth, metrics.key("auth")));
            }
        }
        YamlSection tls = root.section("tls");
        if (tls != null) {
            readTls(tls);
        }
        YamlSection admin = root.section("admin");
        if (admin != null) {
            readAdmin(admin);
        }
        YamlSection shutdown = root.section("shutdown");
        if (shutdown != null) {
            shutdown.requireKnown(SHUTDOWN_KEYS);
            // durations are never negative, so 0 (tell no one, close at once) is the only edge
            draft.drainWindow = orElse(shutdown.duration("drain_window"), draft.drainWindow);
        }
        YamlSection redis = root.section("redis");
        if (redis != null) {
            readRedis(redis);
        }
        YamlSection outbox = root.section("outbox");
        if (outbox != null) {
            readOutbox(outbox);
        }
        YamlSection proxy = root.section("proxy");
        if (proxy != null) {
            draft.proxy = readProxy(proxy, draft.proxy);
        }
        YamlSection defaults = root.section("namespace_defaults");
        if (defaults != null) {
            draft.defaults = readNamespace(defaults, NamespaceConfig.DEFAULTS);
        }
        YamlSection namespaces = root.section("namespaces");
        if (namespaces != null) {
            readNamespaces(namespaces);
        }
        YamlSection pusher = root.section("pusher");
        if (pusher != null) {
            draft.pusher = PusherRules.read(pusher);
        }
        List<YamlSection> webhooks = root.sections("webhooks");
        if (webhooks != null) {
            List<WebhookConfig> hooks = new ArrayList<>();
            for (YamlSection hook : webhooks) {
                hooks.add(readWebhook(hook));
            }
            ConfigRules.distinctWebhookUrls(hooks, root.key("webhooks"));
            draft.webhooks = hooks;
        }
    }

    /** One entry of {@code webhooks:}; {@code url} and {@code secret} are required, {@code events} defaults to all. */
    private static WebhookConfig readWebhook(YamlSection h) {
        h.requireKnown(WEBHOOK_KEYS);
        String url = h.text("url");
        String secret = h.text("secret");
        if (url == null || secret == null) {
            throw new ConfigException(h.path() + ": needs both url and secret");
        }
        WebhookConfig d = WebhookConfig.of(ConfigRules.webhookUrl(url, h.key("url")),
                ConfigRules.webhookSecret(secret, h.key("secret")));
        List<String> events = h.texts("events");
        Duration vacate = h.duration("vacate_delay");
        Duration maxAge = h.duration("max_age");
        Duration timeout = h.duration("timeout");
        Long inFlight = h.integer("max_in_flight");
        Long queue = h.integer("max_queue");
        return new WebhookConfig(d.url(), d.secret(),
                events != null ? ConfigRules.webhookEvents(events, h.key("events")) : d.events(),
                vacate != null ? vacate : d.vacateDelay(),
                maxAge != null ? ConfigRules.atLeastOneSecond(maxAge, h.key("max_age")) : d.maxAge(),
                timeout != null ? ConfigRules.positive(timeout, h.key("timeout")) : d.timeout(),
                inFlight != null ? (int) ConfigRules.limitAtLeastOne(inFlight, 1024, h.key("max_in_flight")) : d.maxInFlight(),
                queue != null ? (int) ConfigRules.limitAtLeastOne(queue, 100_000_000, h.key("max_queue")) : d.maxQueue());
    }

    private void readJwt(YamlSection jwt) {
        jwt.requireKnown(JWT_KEYS);
        String hmac = jwt.text("hmac_secret");
        if (hmac != null) {
            draft.hmacSecret = ConfigRules.hmacSecret(hmac, jwt.key("hmac_secret"));
        }
        draft.rsaPublicKey = orElse(pem(jwt, "rsa_public_key"), draft.rsaPublicKey);
        draft.ecPublicKey = orElse(pem(jwt, "ec_public_key"), draft.ecPublicKey);
        String jwks = jwt.text("jwks_url");
        if (jwks != null) {
            draft.jwksUrl = ConfigRules.jwksUrl(jwks, jwt.key("jwks_url"));
        }
        draft.audience = orElse(jwt.text("audience"), draft.audience);
        draft.issuer = orElse(jwt.text("issuer"), draft.issuer);
        draft.allowNoExp = orElse(jwt.bool("allow_no_exp"), draft.allowNoExp);
        draft.refreshGrace = orElse(jwt.duration("refresh_grace"), draft.refreshGrace);
        draft.refreshAhead = orElse(jwt.duration("refresh_ahead"), draft.refreshAhead);
        Duration jwksRefresh = jwt.duration("jwks_refresh");
        if (jwksRefresh != null) {
            draft.jwksRefresh = ConfigRules.positive(jwksRefresh, jwt.key("jwks_refresh"));
        }
    }

    /** A public key given inline as PEM text or as a path (relative paths start at the config file's folder). */
    private String pem(YamlSection jwt, String name) {
        String value = jwt.text(name);
        if (value == null) {
            return null;
        }
        String label = jwt.key(name);
        if (value.strip().startsWith("-----BEGIN")) {
            return checkPem(value, label, "the value");
        }
        Path dir = file.toAbsolutePath().getParent();
        Path keyFile = dir != null ? dir.resolve(value.strip()) : Path.of(value.strip());
        if (!Files.isRegularFile(keyFile)) {
            throw new ConfigException(label + ": key file not found: " + keyFile + " (give PEM text or a path)");
        }
        try {
            return checkPem(Files.readString(keyFile, StandardCharsets.UTF_8), label, keyFile.toString());
        } catch (IOException e) {
            throw new ConfigException(label + ": cannot read key file " + keyFile + ": " + e.getMessage(), e);
        }
    }

    private static String checkPem(String text, String label, String where) {
        if (!text.contains("-----BEGIN") || !text.contains("-----END")) {
            throw new ConfigException(label + ": " + where + " is not a PEM key (-----BEGIN ... -----END)");
        }
        return text.strip();
    }

    private static ClientConfig readClient(YamlSection c) {
        c.requireKnown(CLIENT_KEYS);
        ClientConfig d = ClientConfig.DEFAULTS;
        Duration ping = orElse(c.duration("ping"), d.ping());
        Duration pong = orElse(c.duration("pong_timeout"), d.pongTimeout());
        Duration connect = orElse(c.duration("connect_timeout"), d.connectTimeout());
        Long frame = c.size("max_frame_size");
        Long queue = c.size("max_queue_bytes");
        Duration writeTimeout = orElse(c.duration("write_timeout"), d.writeTimeout());
        return d.withTimeouts(ConfigRules.positive(ping, c.key("ping")),
                        ConfigRules.positive(pong, c.key("pong_timeout")),
                        ConfigRules.positive(connect, c.key("connect_timeout")))
                .withFrameSize(frame != null ? ConfigRules.frameSize(frame, c.key("max_frame_size")) : d.maxFrameSize())
                .withQueue(queue != null ? ConfigRules.queueBytes(queue, c.key("max_queue_bytes")) : d.maxQueueBytes(),
                        ConfigRules.positive(writeTimeout, c.key("write_timeout")))
                .withCommandLimits(clientCount(c, "max_subscriptions", d.maxSubscriptions()),
                        clientCount(c, "command_rate", d.commandRate()),
                        clientCount(c, "command_burst", d.commandBurst()));
    }

    private static int clientCount(YamlSection c, String name, int fallback) {
        Long value = c.integer(name);
        return value != null ? ConfigRules.clientCount(value, c.key(name)) : fallback;
    }

    private static LimitsConfig readLimits(YamlSection l) {
        l.requireKnown(LIMITS_KEYS);
        LimitsConfig d = LimitsConfig.DEFAULTS;
        return new LimitsConfig(limit(l, "max_connections", d.maxConnections()),
                limit(l, "connections_per_user", d.connectionsPerUser()),
                limit(l, "connection_rate_per_ip", d.connectionRatePerIp()),
                limit(l, "api_rate", d.apiRate()),
                limit(l, "max_channels", d.maxChannels()));
    }

    private static HttpConfig readHttp(YamlSection h, HttpConfig d) {
        h.requireKnown(HTTP_KEYS);
        Duration head = orElse(h.duration("head_timeout"), d.headTimeout());
        Duration idle = orElse(h.duration("idle_timeout"), d.idleTimeout());
        Long rate = h.size("min_body_rate");
        Long buffered = h.size("max_buffered_bodies");
        Long pipelined = h.integer("max_pipelined");
        return d.withTimeouts(ConfigRules.atLeastOneSecond(head, h.key("head_timeout")),
                        ConfigRules.atLeastOneSecond(idle, h.key("idle_timeout")))
                .withBodies(rate != null ? ConfigRules.bodyRate(rate, h.key("min_body_rate")) : d.minBodyRate(),
                        buffered != null ? ConfigRules.bufferedBodies(buffered, h.key("max_buffered_bodies"))
                                : d.maxBufferedBodies())
                .withRequests(pipelined != null ? ConfigRules.clientCount(pipelined, h.key("max_pipelined"))
                                : d.maxPipelined(),
                        limit(h, "public_rate_per_ip", d.publicRatePerIp()));
    }

    private static int limit(YamlSection l, String name, int fallback) {
        Long value = l.integer(name);
        return value != null ? ConfigRules.limit(value, l.key(name)) : fallback;
    }

    /**
     * Reads the certificate and key paths (relative ones start at the config file's folder). Whether
     * both are set is checked once all layers are applied, as the environment may give either.
     */
    private void readAdmin(YamlSection a) {
        a.requireKnown(ADMIN_KEYS);
        draft.adminEnabled = orElse(a.bool("enabled"), draft.adminEnabled);
        String password = a.text("password");
        if (password != null) {
            draft.adminPassword = ConfigRules.adminPassword(password, a.key("password"));
        }
        String hash = a.text("password_hash");
        if (hash != null) {
            draft.adminPasswordHash = ConfigRules.adminPasswordHash(hash, a.key("password_hash"));
        }
        draft.adminSessionTtl = orElse(a.duration("session_ttl"), draft.adminSessionTtl);
    }

    private void readTls(YamlSection tls) {
        tls.requireKnown(TLS_KEYS);
        Path dir = file.toAbsolutePath().getParent();
        String cert = tls.text("cert");
        if (cert != null) {
            draft.tlsCert = ConfigRules.pemFile(cert, dir, tls.key("cert"));
            draft.tlsCertFrom = tls.key("cert");
        }
        String key = tls.text("key");
        if (key != null) {
            draft.tlsKey = ConfigRules.pemFile(key, dir, tls.key("key"));
            draft.tlsKeyFrom = tls.key("key");
        }
    }

    /** {@code redis.url} is one URL or a list of them. */
    private void readRedis(YamlSection r) {
        r.requireKnown(REDIS_KEYS);
        RedisConfig d = draft.redis;
        List<String> urls = d.urls();
        JsonNode url = r.node().get("url");
        if (url != null && url.isArray()) {
            List<String> given = r.texts("url");
            if (given.isEmpty()) {
                throw new ConfigException(r.key("url") + ": must name at least one Redis URL");
            }
            urls = new ArrayList<>();
            for (int i = 0; i < given.size(); i++) {
                urls.add(ConfigRules.redisUrl(given.get(i), r.key("url") + "[" + i + "]"));
            }
        } else if (r.text("url") != null) {
            urls = List.of(ConfigRules.redisUrl(r.text("url"), r.key("url")));
        }
        boolean cluster = orElse(r.bool("cluster"), d.cluster());
        String prefix = r.text("prefix");
        Duration presenceTtl = r.duration("presence_ttl");
        Duration timeout = r.duration("timeout");
        draft.redis = new RedisConfig(urls, cluster,
                prefix != null ? ConfigRules.redisPrefix(prefix, r.key("prefix")) : d.prefix(),
                presenceTtl != null ? ConfigRules.atLeastOneSecond(presenceTtl, r.key("presence_ttl")) : d.presenceTtl(),
                timeout != null ? ConfigRules.positive(timeout, r.key("timeout")) : d.timeout());
        draft.redisSetBy = r.path();
    }

    private void readOutbox(YamlSection o) {
        o.requireKnown(OUTBOX_KEYS);
        String url = o.text("url");
        if (url != null) {
            draft.outbox = OutboxConfig.of(url, o.key("url"));
        }
        String table = o.text("table");
        if (table != null) {
            draft.outboxTable = OutboxConfig.table(table, o.key("table"));
            draft.outboxSetBy = o.key("table");
        }
        Duration poll = o.duration("poll_interval");
        if (poll != null) {
            draft.outboxPollInterval = OutboxConfig.pollInterval(poll, o.key("poll_interval"));
            draft.outboxSetBy = o.key("poll_interval");
        }
        Long batch = o.integer("batch_size");
        if (batch != null) {
            draft.outboxBatchSize = OutboxConfig.batchSize(batch, o.key("batch_size"));
            draft.outboxSetBy = o.key("batch_size");
        }
    }

    private static ProxyConfig readProxy(YamlSection p, ProxyConfig d) {
        p.requireKnown(PROXY_KEYS);
        ProxyConfig out = d;
        for (ProxyKind kind : ProxyKind.values()) {
            YamlSection k = p.section(kind.key());
            if (k != null) {
                k.requireKnown(PROXY_KIND_KEYS);
                String url = k.text("url");
                if (url == null) {
                    throw new ConfigException(k.key("url") + ": required (the URL Herald POSTs " + kind.key() + " calls to)");
                }
                out = out.withUrl(kind, ConfigRules.proxyUrl(url, k.key("url")));
            }
        }
        Duration timeout = p.duration("timeout");
        if (timeout != null) {
            out = out.withTimeout(ConfigRules.positive(timeout, p.key("timeout")));
        }
        List<String> headers = out.headers();
        List<String> given = p.texts("headers");
        if (given != null) {
            headers = new ArrayList<>();
            for (int i = 0; i < given.size(); i++) {
                String name = ConfigRules.headerName(given.get(i), p.key("headers") + "[" + i + "]");
                if (headers.contains(name)) {
                    throw new ConfigException(p.key("headers") + "[" + i + "]: '" + name + "' is listed twice");
                }
                headers.add(name);
            }
        }
        Map<String, String> added = out.staticHeaders();
        Map<String, String> givenStatic = p.textMap("static_headers");
        if (givenStatic != null) {
            added = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, String> e : givenStatic.entrySet()) {
                String label = p.key("static_headers") + "." + e.getKey();
                String name = ConfigRules.headerName(e.getKey(), label);
                if (added.containsKey(name)) {
                    throw new ConfigException(label + ": '" + name + "' is given twice (header names ignore case)");
                }
                added.put(name, ConfigRules.headerValue(e.getValue(), label));
            }
        }
        Long pending = p.integer("max_pending");
        Long response = p.size("max_response_size");
        return out.withHeaders(headers, added).withCaps(
                pending != null ? ConfigRules.proxyPending(pending, p.key("max_pending")) : out.maxPending(),
                response != null ? ConfigRules.proxyResponseSize(response, p.key("max_response_size"))
                        : out.maxResponseBytes());
    }

    private void readNamespaces(YamlSection namespaces) {
        for (Map.Entry<String, JsonNode> e : namespaces.node().properties()) {
            String path = namespaces.key(e.getKey());
            ConfigRules.namespaceName(e.getKey(), path);
            JsonNode value = e.getValue();
            if (value.isNull()) {
                // "match:" with nothing after it lists the namespace with the default settings
                draft.namespaces.put(e.getKey(), draft.defaults);
            } else if (value.isObject()) {
                draft.namespaces.put(e.getKey(), readNamespace(new YamlSection(path, (ObjectNode) value), draft.defaults));
            } else {
                throw new ConfigException(path + ": must be a mapping of namespace settings");
            }
        }
    }

    /** Settings not given fall back to {@code base}: namespace_defaults for listed namespaces. */
    private static NamespaceConfig readNamespace(YamlSection s, NamespaceConfig base) {
        s.requireKnown(NAMESPACE_KEYS);
        Long size = s.integer("history_size");
        if (size != null && (size < 0 || size > ConfigRules.MAX_HISTORY_SIZE)) {
            throw new ConfigException(s.key("history_size") + ": must be 0.." + ConfigRules.MAX_HISTORY_SIZE
                    + " (was " + size + ")");
        }
        NamespaceConfig ns = new NamespaceConfig(
                size != null ? size.intValue() : base.historySize(),
                orElse(s.duration("history_ttl"), base.historyTtl()),
                orElse(s.bool("presence"), base.presence()),
                orElse(s.bool("join_leave"), base.joinLeave()),
                orElse(s.bool("public"), base.isPublic()),
                orElse(s.bool("client_publish"), base.clientPublish()),
                orElse(s.bool("subscribe_proxy"), base.subscribeProxy()),
                orElse(s.bool("publish_proxy"), base.publishProxy()));
        ConfigRules.namespace(ns, s.path());
        return ns;
    }

    private static <T> T orElse(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
