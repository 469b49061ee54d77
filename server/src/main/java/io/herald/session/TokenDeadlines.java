package io.herald.session;

import io.herald.config.JwtConfig;
import io.herald.protocol.CloseCode;
import io.herald.protocol.Frames;

/**
 * The two deadlines a token with {@code exp} sets: {@code refresh_required} ahead of expiry, and the
 * disconnect (4003) at expiry plus grace unless a {@code refresh} replaced the token. A connection the
 * connect proxy admitted is asked about by the refresh proxy at the first deadline instead (when one
 * is configured), again every {@value #RETRY_MILLIS} ms while it does not answer, and closed at the
 * second with 4002 (the proxy failed: reconnect) if it never did. Checked on the connection's
 * periodic tick, so no timer exists per connection. Owned by the connection's thread.
 */
final class TokenDeadlines {
    /** How soon a refresh proxy that did not answer is asked again. */
    static final long RETRY_MILLIS = 5000;

    private final SessionContext session;
    private long expiresAt;
    private long warnAtMillis = Long.MAX_VALUE;
    private long closeAtMillis = Long.MAX_VALUE;
    /** True when the refresh proxy, not the client, extends the connection. */
    private boolean byProxy;
    /** True while the refresh proxy's answer is awaited, and after it failed to answer. */
    private boolean proxyUnanswered;

    TokenDeadlines(SessionContext session) {
        this.session = session;
    }

    /**
     * Replaces the deadlines with those for {@code expiresAt} (epoch seconds; 0 = never); with
     * {@code byProxy} the refresh proxy is asked at the first one. The caller checks them once its
     * reply ({@code connected}, {@code refreshed}) is out.
     */
    void schedule(long expiresAt, boolean byProxy) {
        cancel();
        this.byProxy = byProxy;
        proxyUnanswered = false;
        if (expiresAt <= 0) {
            return;
        }
        JwtConfig jwt = session.services().config().jwt();
        this.expiresAt = expiresAt;
        warnAtMillis = expiresAt * 1000 - jwt.refreshAhead().toMillis();
        closeAtMillis = expiresAt * 1000 + jwt.refreshGrace().toMillis();
        session.connection().deadlinesChanged();
    }

    /** The refresh proxy did not answer: asked again in {@value #RETRY_MILLIS} ms, if before the close. */
    private void retryRefresh(long nowMillis) {
        if (closeAtMillis != Long.MAX_VALUE) {
            warnAtMillis = nowMillis + RETRY_MILLIS;
            session.connection().deadlinesChanged();
        }
    }

    /** The next deadline (epoch ms), {@link Session#NO_DEADLINE} when none is set. */
    long next() {
        return Math.min(warnAtMillis, closeAtMillis);
    }

    /** Sends the warning (or asks the refresh proxy) or disconnects when a deadline has passed. */
    void check(long nowMillis) {
        if (nowMillis >= closeAtMillis) {
            cancel();
            if (byProxy && proxyUnanswered) {
                session.disconnect(CloseCode.INTERNAL_ERROR, "the refresh proxy did not answer before expiry; reconnect");
            } else {
                session.disconnect(CloseCode.UNAUTHORIZED, "token expired");
            }
        } else if (nowMillis >= warnAtMillis && session.isConnected()) {
            warnAtMillis = Long.MAX_VALUE;
            if (byProxy) {
                proxyUnanswered = true;
                refreshByProxy();
            } else {
                session.connection().send(Frames.refreshRequired(expiresAt));
            }
        }
    }

    /**
     * The refresh proxy: a new {@code expires} extends the connection, a refusal or {@code disconnect}
     * ends it, and a proxy that did not answer is asked again a little later.
     */
    private void refreshByProxy() {
        session.onLoop(ProxyCalls.refresh(session.services(), session.clientId(), session.claims().user()),
                (expires, error) -> {
                    if (!session.isConnected()) {
                        return;
                    }
                    if (error == null) {
                        // checked on the next tick, not now: an expires inside refresh_ahead is asked again a second later
                        schedule(expires, true);
                        return;
                    }
                    ProxyRefusal refusal = ProxyRefusal.in(error);
                    if (refusal != null && refusal.close() != null) {
                        session.disconnect(refusal.close(), refusal.getMessage(), refusal.reconnect());
                    } else {
                        retryRefresh(System.currentTimeMillis());
                    }
                });
    }

    void cancel() {
        warnAtMillis = Long.MAX_VALUE;
        closeAtMillis = Long.MAX_VALUE;
    }
}
