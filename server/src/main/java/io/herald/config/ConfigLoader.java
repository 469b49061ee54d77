package io.herald.config;

import io.herald.proxy.ProxyKind;
import java.nio.file.Path;
import java.time.Duration;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Loads the effective {@link HeraldConfig} from three layers, each overriding the one before:
 * the YAML file, then the {@code HERALD_*} environment variables, then command-line flags.
 *
 * <p>Every layer is validated as it is read and the first problem fails the load with a
 * {@link ConfigException} naming the key path, variable or flag. Unknown YAML keys and unknown
 * {@code HERALD_*} variables are errors.
 *
 * <p>Dev mode: when no layer configures an API key nor any JWT key source, the server starts in
 * dev mode with a random API key and HMAC secret, anonymous connections allowed (unless
 * {@code allow_anonymous} is set), every namespace public and any origin accepted; the keys derive
 * from {@code HERALD_DEV_SECRET} or the caller's {@link DevSecret} when there is one, so that they
 * survive a restart. Outside dev mode an
 * API key is required, and a JWT key source too unless {@code allow_anonymous} is true.
 *
 * <p>Sizes: {@code KB}/{@code MB} are decimal (1000, 1000²), {@code KiB}/{@code MiB} binary (1024,
 * 1024²), a bare integer is bytes. Durations: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h},
 * {@code 2d}, a bare integer is seconds. Listed namespaces take unset settings from
 * {@code namespace_defaults}. Relative key-file paths in {@code jwt.*_public_key} and
 * {@code tls.cert}/{@code tls.key} start at the config file's folder; those in {@code HERALD_TLS_CERT}
 * and {@code HERALD_TLS_KEY} at the working directory. TLS needs a certificate and a key, from any
 * layers, or neither.
 */
public final class ConfigLoader {
    static final String API_KEY_REQUIRED = "api_key is required outside dev mode (set HERALD_API_KEY or api_key)";
    static final String JWT_KEY_REQUIRED = "jwt: a key source is required unless allow_anonymous is true"
            + " (set jwt.hmac_secret or HERALD_JWT_HMAC_SECRET, jwt.rsa_public_key, jwt.ec_public_key,"
            + " or jwt.jwks_url or HERALD_JWT_JWKS_URL)";
    static final int DEV_API_KEY_BYTES = 24;
    static final int DEV_HMAC_SECRET_BYTES = 32;
    static final String DEFAULT_HOST = "0.0.0.0";
    static final int DEFAULT_PORT = 8080;

    private static final SecureRandom RANDOM = new SecureRandom();

    private ConfigLoader() {
    }

    /**
     * Command-line flag values; null means the flag was not given.
     *
     * @param config path of the YAML file ({@code --config}), taking precedence over {@code HERALD_CONFIG}
     * @param host   address to bind ({@code --host})
     * @param port   port to bind ({@code --port})
     */
    public record Overrides(Path config, String host, Integer port) {
        /** No flags given. */
        public static final Overrides NONE = new Overrides(null, null, null);
    }

    /**
     * The YAML file to read: the {@code --config} flag, else {@code HERALD_CONFIG}, else null (no file).
     */
    public static Path configPath(Map<String, String> env, Overrides flags) {
        if (flags.config() != null) {
            return flags.config();
        }
        String fromEnv = EnvLayer.value(env, EnvLayer.CONFIG);
        return fromEnv != null ? Path.of(fromEnv) : null;
    }

    /**
     * Loads the config from the file named by {@code --config} or {@code HERALD_CONFIG} (if any),
     * the environment and the flags.
     *
     * @throws ConfigException when the file is missing or any layer is invalid
     */
    public static HeraldConfig load(Map<String, String> env, Overrides flags) {
        return load(configPath(env, flags), env, flags);
    }

    /**
     * As {@link #load(Map, Overrides)}, and in dev mode without {@code HERALD_DEV_SECRET} the API key
     * and JWT secret derive from what {@code devSecret} gives (called only then; null: random keys).
     */
    public static HeraldConfig load(Map<String, String> env, Overrides flags, Supplier<String> devSecret) {
        return load(configPath(env, flags), env, flags, devSecret);
    }

    /**
     * Loads the config from {@code yamlOrNull} (no file when null; {@code HERALD_CONFIG} is then
     * not consulted), the environment and the flags.
     *
     * @param yamlOrNull the YAML file, or null
     * @param env        the environment, usually {@code System.getenv()}
     * @param flags      command-line values, {@link Overrides#NONE} when none
     * @throws ConfigException when the file is missing or any layer is invalid
     */
    public static HeraldConfig load(Path yamlOrNull, Map<String, String> env, Overrides flags) {
        return load(yamlOrNull, env, flags, () -> null);
    }

    /** As {@link #load(Path, Map, Overrides)}, with dev mode's keys as {@link #load(Map, Overrides, Supplier)} says. */
    public static HeraldConfig load(Path yamlOrNull, Map<String, String> env, Overrides flags, Supplier<String> devSecret) {
        ConfigDraft draft = new ConfigDraft();
        if (yamlOrNull != null) {
            YamlLayer.apply(yamlOrNull, draft);
        }
        EnvLayer.apply(env, draft);
        applyFlags(flags, draft);
        return resolve(draft, devSecret);
    }

    /**
     * A YAML rendering of {@code cfg} for {@code herald check-config}, including {@code dev_mode}.
     * The API key and HMAC secret are shown only as {@code <redacted, N chars>}.
     */
    public static String describe(HeraldConfig cfg) {
        return ConfigDescription.render(cfg);
    }

    private static void applyFlags(Overrides flags, ConfigDraft draft) {
        if (flags.host() != null) {
            draft.host = ConfigRules.host(flags.host(), "--host");
        }
        if (flags.port() != null) {
            draft.port = ConfigRules.port(flags.port(), "--port");
        }
    }

    private static HeraldConfig resolve(ConfigDraft d, Supplier<String> devSecret) {
        boolean devMode = d.apiKey == null && !d.hasJwtKey();
        String apiKey = d.apiKey;
        boolean allowAnonymous;
        NamespaceConfig defaults = d.defaults;
        Map<String, NamespaceConfig> namespaces = d.namespaces;
        List<String> origins = d.allowedOrigins != null ? d.allowedOrigins : List.of();
        if (devMode) {
            String secret = d.devSecret != null ? d.devSecret : devSecret.get();
            apiKey = secret != null ? DevSecret.apiKey(secret) : randomKey(DEV_API_KEY_BYTES);
            d.hmacSecret = secret != null ? DevSecret.hmacSecret(secret) : randomKey(DEV_HMAC_SECRET_BYTES);
            allowAnonymous = d.allowAnonymous == null || d.allowAnonymous;
            defaults = defaults.withPublic(true);
            namespaces = allPublic(namespaces);
            origins = List.of();
        } else {
            if (d.devSecret != null) {
                throw new ConfigException(EnvLayer.DEV_SECRET + ": set, but this is not dev mode (an API key or a JWT key"
                        + " is configured); unset it");
            }
            if (apiKey == null) {
                throw new ConfigException(API_KEY_REQUIRED);
            }
            allowAnonymous = d.allowAnonymous != null && d.allowAnonymous;
            if (!d.hasJwtKey() && !allowAnonymous) {
                throw new ConfigException(JWT_KEY_REQUIRED);
            }
        }
        return new HeraldConfig(d.host != null ? d.host : DEFAULT_HOST, d.port != null ? d.port : DEFAULT_PORT,
                devMode, apiKey, allowAnonymous, d.jwt(), d.client, namespaces, defaults, origins,
                engine(d), d.limits, d.tls(), d.drainWindow, ConfigRules.REDIS_ENGINE.equals(d.engine) ? d.redis : null,
                d.http, d.outbox(), proxy(d), d.webhooks, admin(d, devMode), d.pusher);
    }

    static final String ADMIN_PASSWORD_REQUIRED = "admin.enabled: the admin UI needs admin.password or"
            + " admin.password_hash (or HERALD_ADMIN_PASSWORD / HERALD_ADMIN_PASSWORD_HASH)";

    /** On in dev mode unless turned off (with a random password, printed at start), else only when enabled. */
    private static AdminConfig admin(ConfigDraft d, boolean devMode) {
        if (d.adminPassword != null && d.adminPasswordHash != null) {
            throw new ConfigException("admin.password and admin.password_hash: set only one of the two");
        }
        Duration ttl = d.adminSessionTtl != null ? d.adminSessionTtl : AdminConfig.OFF.sessionTtl();
        if (ttl.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new ConfigException("admin.session_ttl: must be at least 1m (was " + Units.format(ttl) + ")");
        }
        boolean enabled = d.adminEnabled != null ? d.adminEnabled : devMode;
        if (!enabled) {
            return new AdminConfig(false, null, null, ttl, false);
        }
        if (d.adminPassword == null && d.adminPasswordHash == null) {
            if (!devMode) {
                throw new ConfigException(ADMIN_PASSWORD_REQUIRED);
            }
            return new AdminConfig(true, randomKey(18), null, ttl, true);
        }
        return new AdminConfig(true, d.adminPassword, d.adminPasswordHash, ttl, false);
    }

    private static String engine(ConfigDraft d) {
        String engine = d.engine != null ? d.engine : ConfigRules.MEMORY_ENGINE;
        if (d.redisSetBy != null && !ConfigRules.REDIS_ENGINE.equals(engine)) {
            // a Redis URL with the memory engine is almost always a forgotten engine: redis
            throw new ConfigException(d.redisSetBy + ": set, but the engine is " + engine
                    + " (set engine: redis or " + EnvLayer.ENGINE + "=redis to use Redis)");
        }
        return engine;
    }

    /**
     * The proxy settings, checked against what uses them: a namespace with {@code subscribe_proxy} or
     * {@code publish_proxy} needs that kind's URL, and a forwarded header may not also be a static one
     * (the backend would not know which one it trusts).
     */
    private static ProxyConfig proxy(ConfigDraft d) {
        ProxyConfig proxy = d.proxy;
        Map<String, NamespaceConfig> all = new LinkedHashMap<>();
        all.put("namespace_defaults", d.defaults);
        d.namespaces.forEach((name, ns) -> all.put("namespaces." + (name.isEmpty() ? "\"\"" : name), ns));
        all.forEach((path, ns) -> {
            if (ns.subscribeProxy() && !proxy.has(ProxyKind.SUBSCRIBE)) {
                throw new ConfigException(path + ".subscribe_proxy: requires proxy.subscribe.url (or "
                        + EnvLayer.proxyUrl(ProxyKind.SUBSCRIBE) + ")");
            }
            if (ns.publishProxy() && !proxy.has(ProxyKind.PUBLISH)) {
                throw new ConfigException(path + ".publish_proxy: requires proxy.publish.url (or "
                        + EnvLayer.proxyUrl(ProxyKind.PUBLISH) + ")");
            }
        });
        for (String name : proxy.headers()) {
            if (proxy.staticHeaders().containsKey(name)) {
                throw new ConfigException("proxy.headers: '" + name + "' is also in proxy.static_headers; a header"
                        + " is either the client's (forwarded) or Herald's own (static), not both");
            }
        }
        return proxy;
    }

    private static Map<String, NamespaceConfig> allPublic(Map<String, NamespaceConfig> namespaces) {
        Map<String, NamespaceConfig> out = new LinkedHashMap<>();
        namespaces.forEach((name, ns) -> out.put(name, ns.withPublic(true)));
        return out;
    }

    private static String randomKey(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
