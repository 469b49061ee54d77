package io.herald.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.herald.auth.AuthException.Reason;
import io.herald.config.JwtConfig;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies JWT connection tokens signed with HS256, RS256 or ES256.
 *
 * <p>Rules: the token's {@code alg} must be one of those three and must match the type of a
 * configured key (an HS256 token is refused when only RSA keys are configured, which defeats
 * algorithm confusion); unsigned ({@code alg: none}) and encrypted tokens are refused. {@code exp}
 * is required unless {@code allowNoExp}; {@code exp} and {@code nbf} are checked with a clock skew
 * of {@link #CLOCK_SKEW} (5 seconds) either way. {@code aud} and {@code iss} are checked when
 * configured. See {@link Claims} for how claims map.
 *
 * <p>Static keys verify on the caller's thread and the future is complete on return. A token that
 * needs the JWKS (RS256 or ES256 with no static key of that type) is verified on a virtual thread,
 * because fetching the key set blocks; the future then completes on that thread. Failures complete
 * the future with an {@link AuthException} itself (not wrapped); its message never contains the
 * token.
 *
 * <p>Thread-safe. {@link #close()} stops JWKS refreshes; later JWKS verifications fail as
 * {@link Reason#UNVERIFIABLE}.
 */
public final class JwtAuthenticator implements Authenticator, AutoCloseable {
    /** Tolerated difference between our clock and the issuer's, applied to {@code exp} and {@code nbf}. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(5);
    /** Longer tokens are refused before any parsing, so a huge query string costs nothing. */
    public static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);
    private static final Set<JWSAlgorithm> SUPPORTED = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.RS256,
            JWSAlgorithm.ES256);

    private final VerificationKeys keys;
    private final ClaimsReader reader;
    private final ExecutorService fetchExecutor;    // null without a JWKS URL

    /** Builds an authenticator; throws {@link IllegalArgumentException} naming a bad or missing key. */
    public JwtAuthenticator(JwtConfig config) {
        this(config, Clock.systemUTC());
    }

    JwtAuthenticator(JwtConfig config, Clock clock) {
        this.fetchExecutor = config.jwksUrl() == null ? null : Executors.newVirtualThreadPerTaskExecutor();
        try {
            this.keys = VerificationKeys.of(config, fetchExecutor);
        } catch (RuntimeException e) {
            if (fetchExecutor != null) {
                fetchExecutor.shutdownNow();
            }
            throw e;
        }
        this.reader = new ClaimsReader(config.audience(), config.issuer(), config.allowNoExp(), clock, CLOCK_SKEW);
    }

    @Override
    public CompletableFuture<Claims> authenticate(String token) {
        SignedJWT jwt;
        try {
            jwt = parse(token);
        } catch (AuthException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Claims> result = new CompletableFuture<>();
        if (!keys.mayFetch(jwt.getHeader().getAlgorithm())) {
            complete(result, jwt);
            return result;
        }
        try {
            fetchExecutor.execute(() -> complete(result, jwt));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new AuthException(Reason.UNVERIFIABLE, "token verifier is closed"));
        }
        return result;
    }

    private void complete(CompletableFuture<Claims> result, SignedJWT jwt) {
        try {
            keys.verify(jwt);
            result.complete(reader.read(jwt.getPayload().toString()));
        } catch (AuthException e) {
            result.completeExceptionally(e);
        } catch (RuntimeException e) {
            // A bug or a library surprise must still answer the connection, and must not log the token.
            log.warn("token verification failed unexpectedly: {}", e.getClass().getName());
            result.completeExceptionally(new AuthException(Reason.INVALID, "token could not be verified"));
        }
    }

    private static SignedJWT parse(String token) throws AuthException {
        if (token == null || token.isEmpty()) {
            throw invalid("token is empty");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw invalid("token is longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw invalid("token is not a well-formed JWT");
        }
        if (jwt instanceof PlainJWT) {
            throw invalid("token is unsigned (alg none)");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw invalid("encrypted tokens are not supported");
        }
        JWSAlgorithm alg = signed.getHeader().getAlgorithm();
        if (!SUPPORTED.contains(alg)) {
            throw invalid("token algorithm " + printable(alg.getName()) + " is not supported (use HS256, RS256 or ES256)");
        }
        return signed;
    }

    /** The alg comes from the token: echo it only when short and plain, so messages stay clean. */
    private static String printable(String alg) {
        return alg != null && alg.length() <= 16 && alg.matches("[A-Za-z0-9_+-]+") ? alg : "(unprintable)";
    }

    private static AuthException invalid(String message) {
        return new AuthException(Reason.INVALID, message);
    }

    @Override
    public void close() {
        keys.close();
        if (fetchExecutor != null) {
            fetchExecutor.shutdownNow();
        }
    }
}
