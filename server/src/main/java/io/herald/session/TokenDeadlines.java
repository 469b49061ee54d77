package io.herald.session;

import io.herald.config.JwtConfig;
import io.herald.protocol.CloseCode;
import io.herald.protocol.Frames;

/**
 * The two deadlines a token with {@code exp} sets: {@code refresh_required} ahead of expiry, and the
 * disconnect (4003) at expiry plus grace unless a {@code refresh} replaced the token. Checked on the
 * connection's periodic tick, so no timer exists per connection. Owned by the connection's thread.
 */
final class TokenDeadlines {
    private final SessionContext session;
    private long expiresAt;
    private long warnAtMillis = Long.MAX_VALUE;
    private long closeAtMillis = Long.MAX_VALUE;

    TokenDeadlines(SessionContext session) {
        this.session = session;
    }

    /**
     * Replaces the deadlines with those for {@code expiresAt} (epoch seconds; 0 = never). The caller
     * checks them once its reply ({@code connected}, {@code refreshed}) is out.
     */
    void schedule(long expiresAt) {
        cancel();
        if (expiresAt <= 0) {
            return;
        }
        JwtConfig jwt = session.services().config().jwt();
        this.expiresAt = expiresAt;
        warnAtMillis = expiresAt * 1000 - jwt.refreshAhead().toMillis();
        closeAtMillis = expiresAt * 1000 + jwt.refreshGrace().toMillis();
    }

    /** Sends the warning or disconnects when a deadline has passed. */
    void check(long nowMillis) {
        if (nowMillis >= closeAtMillis) {
            cancel();
            session.disconnect(CloseCode.UNAUTHORIZED, "token expired");
        } else if (nowMillis >= warnAtMillis && session.isConnected()) {
            warnAtMillis = Long.MAX_VALUE;
            session.connection().send(Frames.refreshRequired(expiresAt));
        }
    }

    void cancel() {
        warnAtMillis = Long.MAX_VALUE;
        closeAtMillis = Long.MAX_VALUE;
    }
}
