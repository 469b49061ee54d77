package io.herald.sdk;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The claims of a Herald connection token (PROTOCOL.md, "Tokens"). Null lists and info are left
 * out of the token.
 *
 * @param user      the user id ({@code sub}); "" is anonymous
 * @param channels  channel patterns the user may subscribe to
 * @param publish   channel patterns the user may publish to from the client
 * @param subscribe channels joined at connect
 * @param info      shown to others in presence (anything Jackson writes as a JSON object)
 * @param ttl       lifetime (default 1 hour), whole seconds
 * @param audience  {@code aud}, when Herald checks it
 * @param issuer    {@code iss}, when Herald checks it
 */
public record TokenClaims(String user, List<String> channels, List<String> publish, List<String> subscribe,
                          Map<String, ?> info, Duration ttl, String audience, String issuer) {
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);

    public TokenClaims {
        Objects.requireNonNull(user, "user");
        channels = channels == null ? null : List.copyOf(channels);
        publish = publish == null ? null : List.copyOf(publish);
        subscribe = subscribe == null ? null : List.copyOf(subscribe);
        info = info == null ? null : Map.copyOf(info);
        ttl = ttl == null ? DEFAULT_TTL : ttl;
        if (ttl.toSeconds() <= 0 || ttl.toNanos() % 1_000_000_000L != 0) {
            throw new IllegalArgumentException("ttl must be a positive whole number of seconds, got " + ttl);
        }
    }

    /** Claims for {@code user} with nothing else; add to them with the {@code with…} methods. */
    public static TokenClaims user(String user) {
        return new TokenClaims(user, null, null, null, null, null, null, null);
    }

    public TokenClaims withChannels(String... patterns) {
        return new TokenClaims(user, List.of(patterns), publish, subscribe, info, ttl, audience, issuer);
    }

    public TokenClaims withPublish(String... patterns) {
        return new TokenClaims(user, channels, List.of(patterns), subscribe, info, ttl, audience, issuer);
    }

    public TokenClaims withSubscribe(String... channels) {
        return new TokenClaims(user, this.channels, publish, List.of(channels), info, ttl, audience, issuer);
    }

    public TokenClaims withInfo(Map<String, ?> info) {
        return new TokenClaims(user, channels, publish, subscribe, info, ttl, audience, issuer);
    }

    public TokenClaims withTtl(Duration ttl) {
        return new TokenClaims(user, channels, publish, subscribe, info, ttl, audience, issuer);
    }

    public TokenClaims withAudience(String audience) {
        return new TokenClaims(user, channels, publish, subscribe, info, ttl, audience, issuer);
    }

    public TokenClaims withIssuer(String issuer) {
        return new TokenClaims(user, channels, publish, subscribe, info, ttl, audience, issuer);
    }
}
