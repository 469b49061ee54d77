package io.herald.admin;

import io.herald.auth.PasswordHash;
import io.herald.config.AdminConfig;
import io.herald.limits.KeyedRateLimiter;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admin UI's logins: the password check, the per-address login rate, and the session tokens a
 * login hands out (random, kept only in this node's memory, so a login lasts until
 * {@code admin.session_ttl}, logout or a restart, and is per node). Thread-safe.
 */
final class AdminSessions {
    /** Login attempts per address: a burst of 5, then one every 12 s (5 a minute). */
    static final double LOGIN_RATE = 1.0 / 12;
    static final int LOGIN_BURST = 5;
    /** Sessions held at once; the oldest expiry is dropped past it. */
    static final int MAX_SESSIONS = 1000;
    static final String COOKIE = "herald_admin";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AdminConfig config;
    private final PasswordHash hash;
    private final KeyedRateLimiter<InetAddress> logins = new KeyedRateLimiter<>(LOGIN_RATE, LOGIN_BURST);
    /** Token -> expiry (epoch millis). */
    private final ConcurrentHashMap<String, Long> sessions = new ConcurrentHashMap<>();

    AdminSessions(AdminConfig config) {
        this.config = config;
        this.hash = config.passwordHash() != null ? PasswordHash.parse(config.passwordHash()) : null;
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
        long now = System.currentTimeMillis();
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.entrySet().removeIf(e -> e.getValue() < now);
            if (sessions.size() >= MAX_SESSIONS) {
                sessions.entrySet().stream().min(java.util.Map.Entry.comparingByValue())
                        .ifPresent(e -> sessions.remove(e.getKey()));
            }
        }
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        sessions.put(token, now + config.sessionTtl().toMillis());
        return token;
    }

    /** Whether {@code token} (from the cookie, may be null) is a live session. */
    boolean valid(String token) {
        if (token == null || token.length() != 43) {
            return false;
        }
        Long expiry = sessions.get(token);
        if (expiry == null) {
            return false;
        }
        if (expiry < System.currentTimeMillis()) {
            sessions.remove(token);
            return false;
        }
        return true;
    }

    void close(String token) {
        if (token != null) {
            sessions.remove(token);
        }
    }

    long ttlSeconds() {
        return config.sessionTtl().toSeconds();
    }
}
