package io.herald.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.SignedJWT;
import io.herald.auth.AuthException.Reason;
import io.herald.config.JwtConfig;
import java.io.Closeable;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * The keys a token may be verified with, one slot per algorithm, plus an optional JWKS.
 * A token's {@code alg} picks the slot; a static key of that type wins over the JWKS. Keys named
 * by the token itself ({@code jwk}, {@code jku}, {@code x5u} headers) are never used: trusting
 * them would let anyone sign their own tokens.
 *
 * <p>Thread-safe: the verifiers are immutable and the JWKS source does its own locking.
 */
final class VerificationKeys implements AutoCloseable {
    static final int MIN_HMAC_SECRET_BYTES = 32;
    static final int MIN_RSA_BITS = 2048;
    private static final int JWKS_TIMEOUT_MILLIS = 2_000;
    private static final int JWKS_SIZE_LIMIT = 256 * 1024;
    private static final Duration DEFAULT_JWKS_REFRESH = Duration.ofMinutes(5);

    private final JWSVerifier hmac;                 // null when no hmac_secret
    private final JWSVerifier rsa;                  // null when no rsa_public_key
    private final JWSVerifier ec;                   // null when no ec_public_key
    private final JWKSource<SecurityContext> jwks;  // null when no jwks_url

    private VerificationKeys(JWSVerifier hmac, JWSVerifier rsa, JWSVerifier ec, JWKSource<SecurityContext> jwks) {
        this.hmac = hmac;
        this.rsa = rsa;
        this.ec = ec;
        this.jwks = jwks;
    }

    /**
     * Builds the keys of a config. {@code refreshExecutor} runs background JWKS refreshes and is
     * only used when a JWKS URL is set. Throws {@link IllegalArgumentException} naming the bad key.
     */
    static VerificationKeys of(JwtConfig config, ExecutorService refreshExecutor) {
        if (!config.hasAnyKey()) {
            throw new IllegalArgumentException("no token key configured: set jwt.hmac_secret, "
                    + "jwt.rsa_public_key, jwt.ec_public_key or jwt.jwks_url");
        }
        return new VerificationKeys(
                config.hmacSecret() == null ? null : hmacVerifier(config.hmacSecret()),
                config.rsaPublicKey() == null ? null : rsaVerifier(config.rsaPublicKey()),
                config.ecPublicKey() == null ? null : ecVerifier(config.ecPublicKey()),
                config.jwksUrl() == null ? null : jwksSource(config.jwksUrl(), config.jwksRefresh(), refreshExecutor));
    }

    /** True when verifying a token of this algorithm may fetch the JWKS, and so may block. */
    boolean mayFetch(JWSAlgorithm alg) {
        return jwks != null && (JWSAlgorithm.RS256.equals(alg) && rsa == null
                || JWSAlgorithm.ES256.equals(alg) && ec == null);
    }

    /** Checks the signature; the caller has already refused algorithms other than HS256, RS256, ES256. */
    void verify(SignedJWT jwt) throws AuthException {
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        JWSVerifier verifier;
        KeyType jwksType;
        if (JWSAlgorithm.HS256.equals(alg)) {
            verifier = hmac;
            jwksType = null;    // a JWKS never holds shared secrets we would accept
        } else if (JWSAlgorithm.RS256.equals(alg)) {
            verifier = rsa;
            jwksType = KeyType.RSA;
        } else {
            verifier = ec;
            jwksType = KeyType.EC;
        }
        if (verifier != null) {
            check(jwt, verifier);
        } else if (jwks != null && jwksType != null) {
            verifyWithJwks(jwt, jwksType);
        } else {
            throw new AuthException(Reason.INVALID,
                    "token algorithm " + alg.getName() + " does not match the configured key type");
        }
    }

    private void verifyWithJwks(SignedJWT jwt, KeyType type) throws AuthException {
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        JWKMatcher.Builder matcher = new JWKMatcher.Builder()
                .keyType(type)
                .keyUses(KeyUse.SIGNATURE, null)
                .algorithms(alg, null);
        if (type == KeyType.EC) {
            matcher.curve(Curve.P_256);
        } else {
            matcher.minKeySize(MIN_RSA_BITS);
        }
        String kid = jwt.getHeader().getKeyID();
        if (kid != null) {
            matcher.keyID(kid);
        }
        List<JWK> candidates;
        try {
            // With a kid the source re-fetches once when the kid is unknown: that is how rotation is seen.
            candidates = jwks.get(new JWKSelector(matcher.build()), null);
        } catch (KeySourceException e) {
            throw new AuthException(Reason.UNVERIFIABLE, "token keys could not be fetched from the JWKS URL");
        }
        if (candidates.isEmpty()) {
            throw new AuthException(Reason.INVALID, "no key in the JWKS matches the token");
        }
        for (JWK key : candidates) {
            if (verifies(jwt, key)) {
                return;
            }
        }
        throw new AuthException(Reason.INVALID, "token signature is invalid");
    }

    private static boolean verifies(SignedJWT jwt, JWK key) {
        try {
            JWSVerifier verifier = key instanceof RSAKey r ? new RSASSAVerifier(r) : new ECDSAVerifier((ECKey) key);
            return jwt.verify(verifier);
        } catch (JOSEException | IllegalStateException e) {
            return false;   // an unusable key in the set is skipped, not fatal
        }
    }

    private static void check(SignedJWT jwt, JWSVerifier verifier) throws AuthException {
        boolean valid;
        try {
            valid = jwt.verify(verifier);
        } catch (JOSEException | IllegalStateException e) {
            valid = false;
        }
        if (!valid) {
            throw new AuthException(Reason.INVALID, "token signature is invalid");
        }
    }

    private static JWSVerifier hmacVerifier(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_HMAC_SECRET_BYTES) {
            throw new IllegalArgumentException("jwt.hmac_secret must be at least " + MIN_HMAC_SECRET_BYTES
                    + " bytes (HS256 needs a 256-bit key)");
        }
        try {
            return new MACVerifier(bytes);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("jwt.hmac_secret is not usable for HS256");
        }
    }

    private static JWSVerifier rsaVerifier(String pem) {
        RSAPublicKey key;
        try {
            key = Pem.rsaPublicKey(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jwt.rsa_public_key: " + e.getMessage(), e);
        }
        if (key.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new IllegalArgumentException("jwt.rsa_public_key must be at least " + MIN_RSA_BITS + " bits");
        }
        return new RSASSAVerifier(key);
    }

    private static JWSVerifier ecVerifier(String pem) {
        ECPublicKey key;
        try {
            key = Pem.ecPublicKey(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jwt.ec_public_key: " + e.getMessage(), e);
        }
        if (!Curve.P_256.equals(Curve.forECParameterSpec(key.getParams()))) {
            throw new IllegalArgumentException("jwt.ec_public_key must be on curve P-256 (ES256)");
        }
        try {
            return new ECDSAVerifier(key);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("jwt.ec_public_key is not usable for ES256");
        }
    }

    private static JWKSource<SecurityContext> jwksSource(String url, Duration refresh, ExecutorService executor) {
        URL parsed;
        try {
            URI uri = URI.create(url);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new IllegalArgumentException("jwt.jwks_url must be an http or https URL");
            }
            parsed = uri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("jwt.jwks_url must be an http or https URL", e);
        }
        long ttl = (refresh == null || refresh.isZero() || refresh.isNegative() ? DEFAULT_JWKS_REFRESH : refresh)
                .toMillis();
        // nimbus requires refresh-ahead time + refresh timeout < time to live.
        long refreshTimeout = Math.min(JWKS_TIMEOUT_MILLIS * 2L, ttl / 4);
        long refreshAhead = Math.min(30_000, ttl / 4);
        return JWKSourceBuilder.<SecurityContext>create(parsed,
                        new DefaultResourceRetriever(JWKS_TIMEOUT_MILLIS, JWKS_TIMEOUT_MILLIS, JWKS_SIZE_LIMIT))
                .cache(ttl, refreshTimeout)
                // Refresh shortly before expiry in the background, so no request waits for the fetch.
                .refreshAheadCache(refreshAhead, null, executor, false, null, false)
                // Keep serving the last keys for one more period when the JWKS host is briefly down.
                .outageTolerant(ttl)
                .build();
    }

    @Override
    public void close() {
        if (jwks instanceof Closeable c) {
            try {
                c.close();
            } catch (IOException e) {
                // Nothing is left to release that a failed close could leak; shutting down anyway.
            }
        }
    }
}
