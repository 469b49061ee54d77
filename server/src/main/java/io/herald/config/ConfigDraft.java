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
    TlsConfig tls;
    Duration drainWindow = Duration.ofSeconds(5);
    NamespaceConfig defaults = NamespaceConfig.DEFAULTS;
    final Map<String, NamespaceConfig> namespaces = new LinkedHashMap<>();

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
}
