package io.herald.config;

import io.herald.proxy.ProxyKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The middle layer: applies the {@code HERALD_*} environment variables over the YAML file. An unknown
 * {@code HERALD_*} variable is an error, because a misspelt {@code HERALD_API_KEY} would otherwise
 * silently start the server in dev mode. An empty variable counts as not set, as container
 * tooling often passes unset variables through as empty strings.
 */
final class EnvLayer {
    static final String CONFIG = "HERALD_CONFIG";
    static final String PORT = "HERALD_PORT";
    static final String HOST = "HERALD_HOST";
    static final String API_KEY = "HERALD_API_KEY";
    static final String JWT_HMAC_SECRET = "HERALD_JWT_HMAC_SECRET";
    static final String JWT_JWKS_URL = "HERALD_JWT_JWKS_URL";
    static final String ALLOW_ANONYMOUS = "HERALD_ALLOW_ANONYMOUS";
    /** Browser origins, comma-separated; replaces {@code allowed_origins}. */
    static final String ALLOWED_ORIGINS = "HERALD_ALLOWED_ORIGINS";
    static final String ENGINE = "HERALD_ENGINE";
    static final String TLS_CERT = "HERALD_TLS_CERT";
    static final String TLS_KEY = "HERALD_TLS_KEY";

    private static final String PREFIX = "HERALD_";
    /** Read by the launcher script, the logging setup and the benchmark runner rather than by the loader. */
    private static final Set<String> OTHERS = Set.of("HERALD_JAVA_OPTS", "HERALD_LOG_LEVEL", "HERALD_BENCH_SERVER_OPTS");
    /** One Redis URL, or several separated by commas. */
    static final String REDIS_URL = "HERALD_REDIS_URL";
    static final String REDIS_CLUSTER = "HERALD_REDIS_CLUSTER";
    static final String REDIS_PREFIX = "HERALD_REDIS_PREFIX";
    static final String METRICS_AUTH = "HERALD_METRICS_AUTH";
    static final String OUTBOX_URL = "HERALD_OUTBOX_URL";
    static final String OUTBOX_TABLE = "HERALD_OUTBOX_TABLE";
    static final String OUTBOX_POLL_INTERVAL = "HERALD_OUTBOX_POLL_INTERVAL";
    static final String PROXY_TIMEOUT = "HERALD_PROXY_TIMEOUT";
    /** Forwarded client headers, comma-separated; replaces {@code proxy.headers}. */
    static final String PROXY_HEADERS = "HERALD_PROXY_HEADERS";
    /** One webhook receiving every event; replaces the YAML list. Needs the secret too. */
    static final String WEBHOOK_URL = "HERALD_WEBHOOK_URL";
    static final String WEBHOOK_SECRET = "HERALD_WEBHOOK_SECRET";
    static final String ADMIN_ENABLED = "HERALD_ADMIN_ENABLED";
    static final String ADMIN_PASSWORD = "HERALD_ADMIN_PASSWORD";
    static final String ADMIN_PASSWORD_HASH = "HERALD_ADMIN_PASSWORD_HASH";
    /** One Pusher app, native, replacing {@code pusher.apps}: all three, or none. */
    static final String PUSHER_APP_ID = "HERALD_PUSHER_APP_ID";
    static final String PUSHER_APP_KEY = "HERALD_PUSHER_APP_KEY";
    static final String PUSHER_APP_SECRET = "HERALD_PUSHER_APP_SECRET";
    /** Client events for that app (whisper in Laravel Echo); needs the three above. */
    static final String PUSHER_CLIENT_EVENTS = "HERALD_PUSHER_CLIENT_EVENTS";
    /** Dev mode's keys derive from it, so they survive restarts; an error outside dev mode. */
    static final String DEV_SECRET = DevSecret.ENV;
    private static final Set<String> KNOWN = known();

    private EnvLayer() {
    }

    /** {@code HERALD_PROXY_CONNECT_URL} and its siblings, one per proxy kind. */
    static String proxyUrl(ProxyKind kind) {
        return "HERALD_PROXY_" + kind.name() + "_URL";
    }

    private static Set<String> known() {
        Set<String> names = new java.util.HashSet<>(Set.of(CONFIG, PORT, HOST, API_KEY, JWT_HMAC_SECRET, JWT_JWKS_URL,
                ALLOW_ANONYMOUS, ALLOWED_ORIGINS, ENGINE, TLS_CERT, TLS_KEY, REDIS_URL, REDIS_CLUSTER, REDIS_PREFIX, METRICS_AUTH,
                OUTBOX_URL, OUTBOX_TABLE, OUTBOX_POLL_INTERVAL, PROXY_TIMEOUT, PROXY_HEADERS, WEBHOOK_URL, WEBHOOK_SECRET, ADMIN_ENABLED, ADMIN_PASSWORD, ADMIN_PASSWORD_HASH,
                PUSHER_APP_ID, PUSHER_APP_KEY, PUSHER_APP_SECRET, PUSHER_CLIENT_EVENTS, DEV_SECRET));
        for (ProxyKind kind : ProxyKind.values()) {
            names.add(proxyUrl(kind));
        }
        return Set.copyOf(names);
    }

    /** Applies the known variables of {@code env} to {@code draft}; other non-{@code HERALD_} variables are ignored. */
    static void apply(Map<String, String> env, ConfigDraft draft) {
        checkNames(env);
        String host = value(env, HOST);
        if (host != null) {
            draft.host = ConfigRules.host(host, HOST);
        }
        String port = value(env, PORT);
        if (port != null) {
            draft.port = ConfigRules.port(parsePort(port), PORT);
        }
        String apiKey = value(env, API_KEY);
        if (apiKey != null) {
            draft.apiKey = apiKey;
        }
        String hmac = value(env, JWT_HMAC_SECRET);
        if (hmac != null) {
            draft.hmacSecret = ConfigRules.hmacSecret(hmac, JWT_HMAC_SECRET);
        }
        String jwks = value(env, JWT_JWKS_URL);
        if (jwks != null) {
            draft.jwksUrl = ConfigRules.jwksUrl(jwks, JWT_JWKS_URL);
        }
        String anonymous = value(env, ALLOW_ANONYMOUS);
        if (anonymous != null) {
            draft.allowAnonymous = parseBoolean(anonymous, ALLOW_ANONYMOUS);
        }
        String origins = value(env, ALLOWED_ORIGINS);
        if (origins != null) {
            draft.allowedOrigins = origins(origins);
        }
        String devSecret = value(env, DEV_SECRET);
        if (devSecret != null) {
            draft.devSecret = ConfigRules.hmacSecret(devSecret.strip(), DEV_SECRET);
        }
        String engine = value(env, ENGINE);
        if (engine != null) {
            draft.engine = ConfigRules.engine(engine.trim(), ENGINE);
        }
        applyRedis(env, draft);
        applyOutbox(env, draft);
        applyProxy(env, draft);
        applyWebhook(env, draft);
        applyAdmin(env, draft);
        applyPusher(env, draft);
        String metricsAuth = value(env, METRICS_AUTH);
        if (metricsAuth != null) {
            draft.http = draft.http.withMetricsAuth(ConfigRules.secretToken(metricsAuth, METRICS_AUTH));
        }
        // relative paths start at the working directory; each variable overrides only its half
        String cert = value(env, TLS_CERT);
        if (cert != null) {
            draft.tlsCert = ConfigRules.pemFile(cert, Path.of(""), TLS_CERT);
            draft.tlsCertFrom = TLS_CERT;
        }
        String key = value(env, TLS_KEY);
        if (key != null) {
            draft.tlsKey = ConfigRules.pemFile(key, Path.of(""), TLS_KEY);
            draft.tlsKeyFrom = TLS_KEY;
        }
    }

    /** {@code https://app.example.com,http://localhost:5173}: each as in {@code allowed_origins}, blanks around commas ignored. */
    private static List<String> origins(String value) {
        List<String> list = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String origin = part.trim();
            if (origin.isEmpty()) {
                throw new ConfigException(ALLOWED_ORIGINS + ": empty origin in '" + value + "' (separate origins by single commas)");
            }
            if (!list.contains(origin)) {
                list.add(ConfigRules.origin(origin, ALLOWED_ORIGINS));
            }
        }
        return list;
    }

    private static void applyRedis(Map<String, String> env, ConfigDraft draft) {
        String urls = value(env, REDIS_URL);
        String cluster = value(env, REDIS_CLUSTER);
        if (urls != null || cluster != null) {
            List<String> list = draft.redis.urls();
            if (urls != null) {
                list = new ArrayList<>();
                for (String part : urls.split(",", -1)) {
                    if (part.isBlank()) {
                        throw new ConfigException(REDIS_URL + ": empty URL in '" + urls + "' (separate URLs by single commas)");
                    }
                    list.add(ConfigRules.redisUrl(part, REDIS_URL));
                }
            }
            boolean isCluster = cluster != null ? parseBoolean(cluster, REDIS_CLUSTER) : draft.redis.cluster();
            draft.redis = draft.redis.withUrls(list, isCluster);
            draft.redisSetBy = urls != null ? REDIS_URL : REDIS_CLUSTER;
        }
        String prefix = value(env, REDIS_PREFIX);
        if (prefix != null) {
            draft.redis = draft.redis.withPrefix(ConfigRules.redisPrefix(prefix.trim(), REDIS_PREFIX));
            draft.redisSetBy = REDIS_PREFIX;
        }
    }

    private static void applyOutbox(Map<String, String> env, ConfigDraft draft) {
        String url = value(env, OUTBOX_URL);
        if (url != null) {
            draft.outbox = OutboxConfig.of(url, OUTBOX_URL);
        }
        String table = value(env, OUTBOX_TABLE);
        if (table != null) {
            draft.outboxTable = OutboxConfig.table(table.trim(), OUTBOX_TABLE);
            draft.outboxSetBy = OUTBOX_TABLE;
        }
        String poll = value(env, OUTBOX_POLL_INTERVAL);
        if (poll != null) {
            draft.outboxPollInterval = OutboxConfig.pollInterval(Units.duration(poll, OUTBOX_POLL_INTERVAL),
                    OUTBOX_POLL_INTERVAL);
            draft.outboxSetBy = OUTBOX_POLL_INTERVAL;
        }
    }

    private static void applyProxy(Map<String, String> env, ConfigDraft draft) {
        for (ProxyKind kind : ProxyKind.values()) {
            String url = value(env, proxyUrl(kind));
            if (url != null) {
                draft.proxy = draft.proxy.withUrl(kind, ConfigRules.proxyUrl(url, proxyUrl(kind)));
            }
        }
        String timeout = value(env, PROXY_TIMEOUT);
        if (timeout != null) {
            draft.proxy = draft.proxy.withTimeout(ConfigRules.positive(Units.duration(timeout, PROXY_TIMEOUT), PROXY_TIMEOUT));
        }
        String headers = value(env, PROXY_HEADERS);
        if (headers != null) {
            List<String> names = new ArrayList<>();
            for (String part : headers.split(",", -1)) {
                String name = ConfigRules.headerName(part, PROXY_HEADERS);
                if (!names.contains(name)) {
                    names.add(name);
                }
            }
            draft.proxy = draft.proxy.withHeaders(names, draft.proxy.staticHeaders());
        }
    }

    private static void applyWebhook(Map<String, String> env, ConfigDraft draft) {
        String url = value(env, WEBHOOK_URL);
        String secret = value(env, WEBHOOK_SECRET);
        if (url == null && secret == null) {
            return;
        }
        if (url == null || secret == null) {
            throw new ConfigException((url == null ? WEBHOOK_SECRET : WEBHOOK_URL) + ": set without "
                    + (url == null ? WEBHOOK_URL : WEBHOOK_SECRET) + " (set both, or neither)");
        }
        draft.webhooks = List.of(WebhookConfig.of(ConfigRules.webhookUrl(url, WEBHOOK_URL),
                ConfigRules.webhookSecret(secret, WEBHOOK_SECRET)));
    }

    private static void applyPusher(Map<String, String> env, ConfigDraft draft) {
        String id = value(env, PUSHER_APP_ID);
        String key = value(env, PUSHER_APP_KEY);
        String secret = value(env, PUSHER_APP_SECRET);
        String clientEvents = value(env, PUSHER_CLIENT_EVENTS);
        if (id == null && key == null && secret == null) {
            if (clientEvents != null) {
                throw new ConfigException(PUSHER_CLIENT_EVENTS + ": set without " + PUSHER_APP_ID + ", "
                        + PUSHER_APP_KEY + " and " + PUSHER_APP_SECRET);
            }
            return;
        }
        if (id == null || key == null || secret == null) {
            throw new ConfigException(PUSHER_APP_ID + ", " + PUSHER_APP_KEY + " and " + PUSHER_APP_SECRET
                    + ": set all three, or none (missing: " + String.join(", ", missing(id, key)) + ")");
        }
        PusherAppConfig app = PusherRules.app(id.trim(), key.trim(), secret, PUSHER_APP_ID, PUSHER_APP_KEY,
                PUSHER_APP_SECRET).withNative(true);
        if (clientEvents != null) {
            app = app.withClientEvents(parseBoolean(clientEvents, PUSHER_CLIENT_EVENTS));
        }
        draft.pusher = PusherRules.checked(List.of(app), PUSHER_APP_ID);
    }

    private static List<String> missing(String id, String key) {
        List<String> out = new ArrayList<>();
        if (id == null) {
            out.add(PUSHER_APP_ID);
        }
        if (key == null) {
            out.add(PUSHER_APP_KEY);
        }
        if (out.isEmpty()) {
            out.add(PUSHER_APP_SECRET);
        }
        return out;
    }

    /** A password from the environment replaces a hash from the file, and the other way round. */
    private static void applyAdmin(Map<String, String> env, ConfigDraft draft) {
        String enabled = value(env, ADMIN_ENABLED);
        if (enabled != null) {
            draft.adminEnabled = parseBoolean(enabled, ADMIN_ENABLED);
        }
        String password = value(env, ADMIN_PASSWORD);
        String hash = value(env, ADMIN_PASSWORD_HASH);
        if (password != null && hash != null) {
            throw new ConfigException(ADMIN_PASSWORD + " and " + ADMIN_PASSWORD_HASH + ": set only one of the two");
        }
        if (password != null) {
            draft.adminPassword = ConfigRules.adminPassword(password, ADMIN_PASSWORD);
            draft.adminPasswordHash = null;
        }
        if (hash != null) {
            draft.adminPasswordHash = ConfigRules.adminPasswordHash(hash, ADMIN_PASSWORD_HASH);
            draft.adminPassword = null;
        }
    }

    /** The value of {@code name}, or null when unset or empty. */
    static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    private static void checkNames(Map<String, String> env) {
        for (String name : new TreeSet<>(env.keySet())) {
            if (name.startsWith(PREFIX) && !KNOWN.contains(name) && !OTHERS.contains(name)) {
                throw new ConfigException("unknown environment variable " + name + Suggestion.of(name, KNOWN)
                        .map(s -> " (did you mean " + s + "?)").orElse("")
                        + "; known: " + String.join(", ", new TreeSet<>(KNOWN)));
            }
        }
    }

    private static long parsePort(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(PORT + ": '" + value + "' is not a port number (0..65535)", e);
        }
    }

    private static boolean parseBoolean(String value, String name) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(name + ": must be true or false (was '" + value + "')");
        };
    }
}
