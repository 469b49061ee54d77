package io.herald.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings gathered so far while the layers (YAML, environment, flags) are applied in order.
 * A null field means "not set by any layer yet"; each layer validates what it sets, and
 * {@link ConfigLoader} resolves dev mode and builds the final {@link HeraldConfig}. Not thread-safe:
 * lives only for one load.
 */
final class ConfigDraft {
    private static final JwtConfig JWT_DEFAULTS = JwtConfig.hmac(null);

    String host;
    Integer port;
    String apiKey;
    Boolean allowAnonymous;
    String engine;
    RedisConfig redis = RedisConfig.DEFAULTS;
    /** Whether any layer set Redis settings; they are refused unless the engine is redis. */
    String redisSetBy;
    List<String> allowedOrigins;

    String hmacSecret;
    String rsaPublicKey;
    String ecPublicKey;
    String jwksUrl;
    String audience;
    String issuer;
    Boolean allowNoExp;
    Duration refreshGrace;
    Duration refreshAhead;
    Duration jwksRefresh;

    ClientConfig client = ClientConfig.DEFAULTS;
    LimitsConfig limits = LimitsConfig.DEFAULTS;
    HttpConfig http = HttpConfig.DEFAULTS;
    ProxyConfig proxy = ProxyConfig.NONE;
    /** Absolute path of the TLS certificate, and the key path or variable that set it. */
    String tlsCert;
    String tlsCertFrom;
    /** Absolute path of the TLS private key, and the key path or variable that set it. */
    String tlsKey;
    String tlsKeyFrom;
    Duration drainWindow = Duration.ofSeconds(5);
    NamespaceConfig defaults = NamespaceConfig.DEFAULTS;
    /** The outbox's URL (already checked) and the key path or variable that set it; null: no outbox. */
    OutboxConfig outbox;
    /** The outbox settings set so far, applied over the URL's defaults once every layer is read. */
    String outboxTable;
    Duration outboxPollInterval;
    Integer outboxBatchSize;
    /** The key path or variable that set one of the three above, for the error when no URL is set. */
    String outboxSetBy;
    final Map<String, NamespaceConfig> namespaces = new LinkedHashMap<>();
    List<WebhookConfig> webhooks = List.of();
    PusherConfig pusher = PusherConfig.NONE;
    /** The admin section: null fields are unset; resolved (dev mode, checks) by {@link ConfigLoader}. */
    Boolean adminEnabled;
    String adminPassword;
    String adminPasswordHash;
    Duration adminSessionTtl;
    /** {@code HERALD_DEV_SECRET}: dev mode derives its keys from it; null when unset. */
    String devSecret;

    boolean hasJwtKey() {
        return hmacSecret != null || rsaPublicKey != null || ecPublicKey != null || jwksUrl != null;
    }

    JwtConfig jwt() {
        return new JwtConfig(hmacSecret, rsaPublicKey, ecPublicKey, jwksUrl, audience, issuer,
                allowNoExp != null ? allowNoExp : JWT_DEFAULTS.allowNoExp(),
                refreshGrace != null ? refreshGrace : JWT_DEFAULTS.refreshGrace(),
                refreshAhead != null ? refreshAhead : JWT_DEFAULTS.refreshAhead(),
                jwksRefresh != null ? jwksRefresh : JWT_DEFAULTS.jwksRefresh());
    }

    /**
     * The outbox settings, or null when none is configured.
     *
     * @throws ConfigException when a table, poll interval or batch size is set without a URL
     */
    OutboxConfig outbox() {
        if (outbox == null) {
            if (outboxSetBy != null) {
                throw new ConfigException(outboxSetBy + ": set without an outbox URL (set outbox.url or "
                        + EnvLayer.OUTBOX_URL + " too, or neither)");
            }
            return null;
        }
        OutboxConfig o = outbox;
        if (outboxTable != null) {
            o = o.withTable(outboxTable);
        }
        if (outboxPollInterval != null) {
            o = o.withPollInterval(outboxPollInterval);
        }
        if (outboxBatchSize != null) {
            o = o.withBatchSize(outboxBatchSize);
        }
        return o;
    }

    /**
     * The TLS settings, or null when neither a certificate nor a key is set.
     *
     * @throws ConfigException when only one of the two is set, across all layers combined
     */
    TlsConfig tls() {
        if (tlsCert == null && tlsKey == null) {
            return null;
        }
        if (tlsKey == null) {
            throw new ConfigException(tlsCertFrom + ": set without a TLS key (set tls.key or "
                    + EnvLayer.TLS_KEY + " too, or neither)");
        }
        if (tlsCert == null) {
            throw new ConfigException(tlsKeyFrom + ": set without a TLS certificate (set tls.cert or "
                    + EnvLayer.TLS_CERT + " too, or neither)");
        }
        return new TlsConfig(tlsCert, tlsKey);
    }
}
