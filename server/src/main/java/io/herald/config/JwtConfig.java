package io.herald.config;

import java.time.Duration;

/**
 * How connection tokens are verified. Exactly one key source is normally set; several may be
 * set (an HMAC secret plus RSA keys, say), and a token's {@code alg} picks the one of its type.
 *
 * @param hmacSecret   HS256 shared secret, or null
 * @param rsaPublicKey RS256 public key in PEM, or null
 * @param ecPublicKey  ES256 public key in PEM, or null
 * @param jwksUrl      a JWKS URL (keys cached and refreshed), or null
 * @param audience     required {@code aud}, or null to not check
 * @param issuer       required {@code iss}, or null to not check
 * @param allowNoExp   accept tokens without {@code exp}
 * @param refreshGrace how long after {@code exp} a connection may stay without a {@code refresh}
 * @param refreshAhead how long before {@code exp} {@code refresh_required} is sent
 * @param jwksRefresh  how often JWKS keys are re-fetched
 */
public record JwtConfig(String hmacSecret, String rsaPublicKey, String ecPublicKey, String jwksUrl,
                        String audience, String issuer, boolean allowNoExp, Duration refreshGrace,
                        Duration refreshAhead, Duration jwksRefresh) {

    public static JwtConfig hmac(String secret) {
        return new JwtConfig(secret, null, null, null, null, null, false,
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(5));
    }

    public boolean hasAnyKey() {
        return hmacSecret != null || rsaPublicKey != null || ecPublicKey != null || jwksUrl != null;
    }
}
