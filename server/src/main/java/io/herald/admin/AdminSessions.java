package io.herald.admin;

import io.herald.auth.PasswordHash;
import io.herald.config.AdminConfig;
import io.herald.limits.KeyedRateLimiter;
import io.herald.protocol.HmacSha256;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admin UI's logins: the password check, the per-address login rate, and the session tokens a
 * login hands out. A token is {@code <expiry>.<nonce>.<HMAC-SHA256>}, signed with a key derived from
 * the API key and the admin password (or its hash), so every node of a cluster configured alike
 * accepts it (a load balancer need not be sticky), a restart keeps it, and changing either secret
 * ends every session. Logout revokes the token on the node that served it (and the browser drops
 * the cookie). Thread-safe.
 */
final class AdminSessions {
    /** Login attempts per address: a burst of 5, then one every 12 s (5 a minute). */
    static final double LOGIN_RATE = 1.0 / 12;
    static final int LOGIN_BURST = 5;
    /** Revoked tokens remembered at once (until they expire); past it the soonest to expire are forgotten. */
    static final int MAX_REVOKED = 10_000;
    static final String COOKIE = "herald_admin";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final AdminConfig config;
    private final PasswordHash hash;
    private final byte[] signingKey;
    private final KeyedRateLimiter<InetAddress> logins = new KeyedRateLimiter<>(LOGIN_RATE, LOGIN_BURST);
    /** Logged-out token -> its expiry (epoch millis). */
    private final ConcurrentHashMap<String, Long> revoked = new ConcurrentHashMap<>();

    AdminSessions(AdminConfig config, String apiKey) {
        this.config = config;
        this.hash = config.passwordHash() != null ? PasswordHash.parse(config.passwordHash()) : null;
        String secret = config.passwordHash() != null ? config.passwordHash() : config.password();
        this.signingKey = hmac(apiKey.getBytes(StandardCharsets.UTF_8), "herald admin session v1|" + secret);
    }

    /** 0 when {@code address} may try to log in now, else the seconds to wait. */
    long loginWait(InetAddress address) {
        return logins.acquire(address);
    }

    /** Whether {@code password} is right; slow for a hash (PBKDF2), so never on an event loop. */
    boolean passwordMatches(String password) {
        return hash != null ? hash.matches(password) : PasswordHash.plainMatches(password, config.password());
    }

    /** A new session token, valid for {@code admin.session_ttl}. */
    String open() {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String body = Long.toString(System.currentTimeMillis() + config.sessionTtl().toMillis(), 36) + "." + B64.encodeToString(nonce);
        return body + "." + B64.encodeToString(hmac(signingKey, body));
    }

    /** Whether {@code token} (from the cookie, may be null) is a live session. */
    boolean valid(String token) {
        if (token == null || token.length() > 200) {
            return false;
        }
        int dot = token.lastIndexOf('.');
        int first = token.indexOf('.');
        if (first <= 0 || dot <= first) {
            return false;
        }
        String body = token.substring(0, dot);
        byte[] mac;
        long expiry;
        try {
            mac = Base64.getUrlDecoder().decode(token.substring(dot + 1));
            expiry = Long.parseLong(token.substring(0, first), 36);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac, hmac(signingKey, body)) && expiry > System.currentTimeMillis()
                && !revoked.containsKey(token);
    }

    /** Ends {@code token} on this node. */
    void close(String token) {
        if (!valid(token)) {
            return;
        }
        long now = System.currentTimeMillis();
        revoked.entrySet().removeIf(e -> e.getValue() < now);
        if (revoked.size() >= MAX_REVOKED) {
            revoked.entrySet().stream().min(Map.Entry.comparingByValue()).ifPresent(e -> revoked.remove(e.getKey()));
        }
        revoked.put(token, Long.parseLong(token.substring(0, token.indexOf('.')), 36));
    }

    long ttlSeconds() {
        return config.sessionTtl().toSeconds();
    }

    private static byte[] hmac(byte[] key, String text) {
        return HmacSha256.of(key, text.getBytes(StandardCharsets.UTF_8));
    }
}
