package io.herald.auth;

import java.util.concurrent.CompletableFuture;

/**
 * Verifies connection tokens. Implementations are thread-safe. The returned future completes
 * with the claims, or exceptionally with an {@link AuthException}. It may complete on another
 * thread (for example after fetching a JWKS document); callers must not block on it from an
 * event loop. Verification with static keys completes before the method returns.
 */
public interface Authenticator {
    CompletableFuture<Claims> authenticate(String token);
}
