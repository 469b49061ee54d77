package io.herald.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.herald.proxy.ProxyKind;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders an effective config as YAML in the same key layout as the config file, with secrets
 * replaced by their length so the output can be pasted into bug reports.
 */
final class ConfigDescription {
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();

    private ConfigDescription() {
    }

    static String render(HeraldConfig cfg) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("dev_mode", cfg.devMode());
        root.put("host", cfg.host());
        root.put("port", cfg.port());
        root.put("engine", cfg.engine());
        root.put("api_key", redacted(cfg.apiKey()));
        root.put("allow_anonymous", cfg.allowAnonymous());
        root.put("allowed_origins", cfg.allowedOrigins());
        root.put("jwt", jwt(cfg.jwt()));
        root.put("client", client(cfg.client()));
        root.put("limits", limits(cfg.limits()));
        root.put("http", http(cfg.http()));
        root.put("metrics", Collections.singletonMap("auth", redacted(cfg.http().metricsAuth())));
        root.put("tls", tls(cfg.tls()));
        root.put("admin", admin(cfg.admin()));
        root.put("shutdown", Map.of("drain_window", Units.format(cfg.drainWindow())));
        if (cfg.redis() != null) {
            root.put("redis", redis(cfg.redis()));
        }
        if (cfg.outbox() != null) {
            root.put("outbox", outbox(cfg.outbox()));
        }
        root.put("proxy", proxy(cfg.proxy()));
        root.put("namespace_defaults", namespace(cfg.defaults()));
        Map<String, Object> namespaces = new TreeMap<>();
        cfg.namespaces().forEach((name, ns) -> namespaces.put(name, namespace(ns)));
        root.put("namespaces", namespaces);
        root.put("webhooks", cfg.webhooks().stream().map(ConfigDescription::webhook).toList());
        root.put("pusher", Map.of("apps", cfg.pusher().apps().stream().map(ConfigDescription::pusherApp).toList()));
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> jwt(JwtConfig jwt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hmac_secret", redacted(jwt.hmacSecret()));
        m.put("rsa_public_key", pem(jwt.rsaPublicKey()));
        m.put("ec_public_key", pem(jwt.ecPublicKey()));
        m.put("jwks_url", jwt.jwksUrl());
        m.put("audience", jwt.audience());
        m.put("issuer", jwt.issuer());
        m.put("allow_no_exp", jwt.allowNoExp());
        m.put("refresh_grace", Units.format(jwt.refreshGrace()));
        m.put("refresh_ahead", Units.format(jwt.refreshAhead()));
        m.put("jwks_refresh", Units.format(jwt.jwksRefresh()));
        return m;
    }

    private static Map<String, Object> client(ClientConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ping", Units.format(c.ping()));
        m.put("pong_timeout", Units.format(c.pongTimeout()));
        m.put("connect_timeout", Units.format(c.connectTimeout()));
        m.put("max_frame_size", Units.formatSize(c.maxFrameSize()));
        m.put("max_queue_bytes", Units.formatSize(c.maxQueueBytes()));
        m.put("write_timeout", Units.format(c.writeTimeout()));
        m.put("max_subscriptions", c.maxSubscriptions());
        m.put("command_rate", c.commandRate());
        m.put("command_burst", c.commandBurst());
        return m;
    }

    /** Passwords in URLs are secret: {@code redis://:secret@host} is shown as {@code redis://:<redacted>@host}. */
    private static Map<String, Object> redis(RedisConfig r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", r.urls().stream().map(u -> u.replaceFirst("(://[^:@/]*:)[^@/]*@", "$1<redacted>@")).toList());
        m.put("cluster", r.cluster());
        m.put("prefix", r.prefix());
        m.put("presence_ttl", Units.format(r.presenceTtl()));
        m.put("timeout", Units.format(r.timeout()));
        return m;
    }

    private static Map<String, Object> outbox(OutboxConfig o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", OutboxConfig.redacted(o.url()));
        m.put("table", o.table());
        m.put("poll_interval", Units.format(o.pollInterval()));
        m.put("batch_size", o.batchSize());
        return m;
    }

    /** Static header values are shown by length only: they are how the backend trusts Herald's calls. */
    private static Map<String, Object> proxy(ProxyConfig p) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (ProxyKind kind : ProxyKind.values()) {
            if (p.has(kind)) {
                m.put(kind.key(), Map.of("url", p.url(kind).toString()));
            }
        }
        m.put("timeout", Units.format(p.timeout()));
        m.put("headers", p.headers());
        Map<String, Object> added = new TreeMap<>();
        p.staticHeaders().forEach((name, value) -> added.put(name, redacted(value)));
        m.put("static_headers", added);
        m.put("max_pending", p.maxPending());
        m.put("max_response_size", Units.formatSize(p.maxResponseBytes()));
        return m;
    }

    private static Map<String, Object> webhook(WebhookConfig h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", h.redactedUrl());
        m.put("secret", redacted(h.secret()));
        m.put("events", h.events().stream().sorted().map(io.herald.protocol.WebhookEvent::wire).toList());
        m.put("vacate_delay", Units.format(h.vacateDelay()));
        m.put("max_age", Units.format(h.maxAge()));
        m.put("timeout", Units.format(h.timeout()));
        m.put("max_in_flight", h.maxInFlight());
        m.put("max_queue", h.maxQueue());
        return m;
    }

    private static Map<String, Object> pusherApp(PusherAppConfig a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id());
        m.put("key", a.key());
        m.put("secret", redacted(a.secret()));
        m.put("native", a.isNative());
        m.put("client_events", a.clientEvents());
        m.put("user_authentication", a.userAuthentication());
        m.put("max_connections", a.maxConnections());
        m.put("max_client_events_per_second", a.maxClientEventsPerSecond());
        m.put("webhooks", a.webhooks().stream().map(h -> Map.of("url", h.redactedUrl(),
                "events", h.events().stream().sorted().map(io.herald.pusher.PusherWebhookEvent::wire).toList())).toList());
        return m;
    }

    private static Map<String, Object> limits(LimitsConfig l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("max_connections", l.maxConnections());
        m.put("connections_per_user", l.connectionsPerUser());
        m.put("connection_rate_per_ip", l.connectionRatePerIp());
        m.put("api_rate", l.apiRate());
        m.put("max_channels", l.maxChannels());
        return m;
    }

    private static Map<String, Object> http(HttpConfig h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("head_timeout", Units.format(h.headTimeout()));
        m.put("idle_timeout", Units.format(h.idleTimeout()));
        m.put("min_body_rate", Units.formatSize(h.minBodyRate()));
        m.put("max_buffered_bodies", Units.formatSize(h.maxBufferedBodies()));
        m.put("max_pipelined", h.maxPipelined());
        m.put("public_rate_per_ip", h.publicRatePerIp());
        return m;
    }

    private static Map<String, Object> admin(AdminConfig a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", a.enabled());
        m.put("password", redacted(a.password()));
        m.put("password_hash", redacted(a.passwordHash()));
        m.put("session_ttl", Units.format(a.sessionTtl()));
        return m;
    }

    /** The file paths only: the key file's contents are secret and never read here. */
    private static Map<String, Object> tls(TlsConfig tls) {
        if (tls == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cert", tls.cert());
        m.put("key", tls.key());
        return m;
    }

    private static Map<String, Object> namespace(NamespaceConfig ns) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("history_size", ns.historySize());
        m.put("history_ttl", Units.format(ns.historyTtl()));
        m.put("presence", ns.presence());
        m.put("join_leave", ns.joinLeave());
        m.put("public", ns.isPublic());
        m.put("client_publish", ns.clientPublish());
        m.put("subscribe_proxy", ns.subscribeProxy());
        m.put("publish_proxy", ns.publishProxy());
        return m;
    }

    private static String redacted(String secret) {
        return secret == null ? null : "<redacted, " + secret.length() + " chars>";
    }

    /** Public keys are not secret, but a whole PEM block would drown the rest of the output. */
    private static String pem(String key) {
        return key == null ? null : "<PEM, " + key.length() + " chars>";
    }
}
