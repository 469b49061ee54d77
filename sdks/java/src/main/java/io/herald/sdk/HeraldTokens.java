package io.herald.sdk;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

/**
 * Signs Herald connection tokens: {@code {sub, iat, exp, channels, publish, subscribe, info}} (and
 * {@code aud}, {@code iss} when given). HS256 with a secret of at least 32 bytes (as Herald's
 * {@code jwt.hmac_secret}), RS256 with an RSA private key, ES256 with a P-256 private key; PEM text
 * (PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}) or a
 * {@link PrivateKey}. Configure Herald with the matching public key ({@code jwt.rsa_public_key},
 * {@code jwt.ec_public_key}). Stateless and thread-safe.
 */
public final class HeraldTokens {
    public static final int MIN_SECRET_BYTES = 32;

    private HeraldTokens() {
    }

    /** A token signed with an HS256 secret, or with the PEM private key {@code key} starts with. */
    public static String createToken(TokenClaims claims, String key) {
        return createToken(claims, key, Instant.now());
    }

    public static String createToken(TokenClaims claims, String key, Instant now) {
        if (key == null) {
            throw new IllegalArgumentException("a token needs a key");
        }
        if (key.stripLeading().startsWith("-----BEGIN")) {
            return createToken(claims, PemKeys.privateKey(key), now);
        }
        byte[] secret = key.getBytes(StandardCharsets.UTF_8);
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("an HS256 secret must be at least " + MIN_SECRET_BYTES
                    + " bytes (Herald refuses shorter ones), got " + secret.length);
        }
        try {
            return sign(claims, JWSAlgorithm.HS256, new MACSigner(secret), now);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("HS256 secret refused: " + e.getMessage(), e);
        }
    }

    /** A token signed RS256 (RSA key) or ES256 (P-256 key). */
    public static String createToken(TokenClaims claims, PrivateKey key, Instant now) {
        try {
            if (key instanceof RSAPrivateKey rsa) {
                return sign(claims, JWSAlgorithm.RS256, new RSASSASigner(rsa), now);
            }
            if (key instanceof ECPrivateKey ec) {
                if (ec.getParams().getCurve().getField().getFieldSize() != 256) {
                    throw new IllegalArgumentException("an ES256 token needs a P-256 key, got a "
                            + ec.getParams().getCurve().getField().getFieldSize() + "-bit curve");
                }
                return sign(claims, JWSAlgorithm.ES256, new ECDSASigner(ec), now);
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("key refused: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("unsupported key for a Herald token: " + key.getAlgorithm()
                + " (use an HS256 secret, an RSA key or a P-256 EC key)");
    }

    public static String createToken(TokenClaims claims, PrivateKey key) {
        return createToken(claims, key, Instant.now());
    }

    private static String sign(TokenClaims claims, JWSAlgorithm alg, JWSSigner signer, Instant now) throws JOSEException {
        long iat = now.getEpochSecond();
        JWTClaimsSet.Builder set = new JWTClaimsSet.Builder()
                .subject(claims.user())
                .issueTime(new Date(iat * 1000))
                .expirationTime(new Date((iat + claims.ttl().toSeconds()) * 1000));
        if (claims.channels() != null) {
            set.claim("channels", claims.channels());
        }
        if (claims.publish() != null) {
            set.claim("publish", claims.publish());
        }
        if (claims.subscribe() != null) {
            set.claim("subscribe", claims.subscribe());
        }
        if (claims.info() != null) {
            // plain maps, lists and values: what the JWT library's JSON writer knows
            set.claim("info", Json.MAPPER.convertValue(claims.info(), Map.class));
        }
        if (claims.audience() != null) {
            set.audience(claims.audience());
        }
        if (claims.issuer() != null) {
            set.issuer(claims.issuer());
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).build(), set.build());
        jwt.sign(signer);
        return jwt.serialize();
    }
}
