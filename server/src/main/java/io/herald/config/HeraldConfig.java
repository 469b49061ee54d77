package io.herald.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The effective, validated configuration of one Herald node. Immutable.
 *
 * @param host           address to bind
 * @param port           port to bind (0 = any free port)
 * @param devMode        true when started without config, API key or JWT secret: everything public
 * @param apiKey         the server API key
 * @param allowAnonymous whether connections without a token are accepted
 * @param jwt            token verification
 * @param client         per-connection settings
 * @param namespaces     named namespaces; the key "" holds the default namespace's settings when given
 * @param defaults       settings for namespaces not in {@code namespaces}
 * @param allowedOrigins origins accepted on upgrade and for CORS; empty = any (dev mode)
 * @param engine         "memory" (one node) or "redis" (nodes sharing a Redis)
 * @param limits         node-wide connection and request limits
 * @param tls            TLS settings, or null to serve plain {@code ws://} and {@code http://}
 * @param drainWindow    on shutdown, the time over which connected clients are told to reconnect
 * @param redis          Redis engine settings; null unless {@code engine} is "redis"
 * @param http           deadlines and caps of plain HTTP requests
 * @param outbox         the PostgreSQL outbox reader's settings, or null when no outbox is configured
 * @param proxy          the backend proxy; {@link ProxyConfig#NONE} when no kind is configured
 * @param webhooks       the webhooks events are sent to (empty: none)
 * @param admin          the admin web UI at {@code /admin}
 * @param pusher         the Pusher Channels apps served on {@code /app/{key}} ({@link PusherConfig#NONE}: none)
 */
public record HeraldConfig(String host, int port, boolean devMode, String apiKey, boolean allowAnonymous,
                           JwtConfig jwt, ClientConfig client, Map<String, NamespaceConfig> namespaces,
                           NamespaceConfig defaults, List<String> allowedOrigins, String engine,
                           LimitsConfig limits, TlsConfig tls, Duration drainWindow,
                           RedisConfig redis, HttpConfig http, OutboxConfig outbox, ProxyConfig proxy,
                           List<WebhookConfig> webhooks, AdminConfig admin, PusherConfig pusher) {

    public HeraldConfig {
        webhooks = List.copyOf(webhooks);
        namespaces = Map.copyOf(namespaces);
        proxy = proxy != null ? proxy : ProxyConfig.NONE;
        pusher = pusher != null ? pusher : PusherConfig.NONE;
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** Settings of a namespace: its own when configured, else the defaults (all public in dev mode). */
    public NamespaceConfig namespace(String name) {
        NamespaceConfig ns = namespaces.get(name);
        return ns != null ? ns : defaults;
    }
}
