package io.herald.auth;

import io.herald.config.JwtConfig;
import java.util.concurrent.CompletableFuture;

/**
 * Verifies connection tokens. Implementations are thread-safe. The returned future completes
 * with the claims, or exceptionally with an {@link AuthException}. It may complete on another
 * thread (for example after fetching a JWKS document); callers must not block on it from an
 * event loop. Verification with static keys completes before the method returns.
 */
public interface Authenticator {
    CompletableFuture<Claims> authenticate(String token);

    /**
     * The authenticator for a configuration: JWT verification when a key source is configured, else
     * one that refuses every token (a server that accepts only anonymous connections).
     */
    static Authenticator forConfig(JwtConfig jwt) {
        if (jwt != null && jwt.hasAnyKey()) {
            return new JwtAuthenticator(jwt);
        }
        return token -> CompletableFuture.failedFuture(new AuthException(AuthException.Reason.INVALID,
                "this server has no token keys configured; connect without a token"));
    }
}
