package io.herald.session;

import io.herald.config.JwtConfig;
import io.herald.protocol.CloseCode;
import io.herald.protocol.Frames;
import java.util.concurrent.ScheduledFuture;

/**
 * The two timers a token with {@code exp} sets: {@code refresh_required} ahead of expiry, and the
 * disconnect (4003) at expiry plus grace unless a {@code refresh} replaced the token. Owned by the
 * connection's thread.
 */
final class TokenTimers {
    private final ClientSession session;
    private ScheduledFuture<?> warning;
    private ScheduledFuture<?> expiry;

    TokenTimers(ClientSession session) {
        this.session = session;
    }

    /** Replaces any running timers with those for {@code expiresAt} (epoch seconds; 0 = never). */
    void schedule(long expiresAt) {
        cancel();
        if (expiresAt <= 0) {
            return;
        }
        JwtConfig jwt = session.config.jwt();
        long now = System.currentTimeMillis();
        long expMillis = expiresAt * 1000;
        long warnIn = Math.max(0, expMillis - jwt.refreshAhead().toMillis() - now);
        long closeIn = Math.max(0, expMillis + jwt.refreshGrace().toMillis() - now);
        warning = session.conn.schedule(() -> {
            if (session.isConnected()) {
                session.conn.send(Frames.refreshRequired(expiresAt));
            }
        }, warnIn);
        expiry = session.conn.schedule(() -> session.disconnect(CloseCode.UNAUTHORIZED, "token expired"), closeIn);
    }

    void cancel() {
        if (warning != null) {
            warning.cancel(false);
            warning = null;
        }
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }
}
