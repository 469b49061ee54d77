package io.herald.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import io.herald.protocol.ChannelPattern;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Creates signed connection tokens, as {@code herald token} does. Tokens from
 * {@link #issue} are HS256 with the shared secret and carry {@code sub}, {@code iat}, {@code exp}
 * and, when set, {@code iss}, {@code aud}, {@code channels}, {@code publish}, {@code subscribe} and
 * {@code info}: exactly what {@link JwtAuthenticator} reads. The secret must be at least 32 bytes
 * in UTF-8, because HS256 needs a 256-bit key (nimbus refuses shorter ones, and so does the
 * server's config check).
 *
 * <p>Immutable and thread-safe; the {@code with*} methods return new issuers.
 */
public final class TokenIssuer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MACSigner signer;
    private final String issuer;    // null = no iss claim
    private final String audience;  // null = no aud claim
    private final Clock clock;

    /** An issuer signing with this HS256 secret; throws {@link IllegalArgumentException} when shorter than 32 bytes. */
    public TokenIssuer(String secret) {
        this(macSigner(secret), null, null, Clock.systemUTC());
    }

    private TokenIssuer(MACSigner signer, String issuer, String audience, Clock clock) {
        this.signer = signer;
        this.issuer = issuer;
        this.audience = audience;
        this.clock = clock;
    }

    /** The same issuer, also writing {@code iss}. */
    public TokenIssuer withIssuer(String iss) {
        return new TokenIssuer(signer, iss, audience, clock);
    }

    /** The same issuer, also writing {@code aud}. */
    public TokenIssuer withAudience(String aud) {
        return new TokenIssuer(signer, issuer, aud, clock);
    }

    TokenIssuer withClock(Clock c) {
        return new TokenIssuer(signer, issuer, audience, c);
    }

    /**
     * Issues a token. Null or empty lists and a null {@code info} leave the claim out; a null
     * {@code ttl} leaves out {@code exp} (accepted only where {@code allow_no_exp} is set).
     * Patterns are checked here so that a bad one fails at the command line, not at connect.
     *
     * @throws IllegalArgumentException on a bad pattern or a ttl that is not positive
     */
    public String issue(String user, List<String> channels, List<String> publish, List<String> subscribe,
                        ObjectNode info, Duration ttl) {
        if (ttl != null && (ttl.isZero() || ttl.isNegative())) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        long now = clock.instant().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode();
        if (user != null && !user.isEmpty()) {
            claims.put("sub", user);
        }
        claims.put("iat", now);
        if (ttl != null) {
            claims.put("exp", now + Math.max(1, ttl.toSeconds()));
        }
        if (issuer != null) {
            claims.put("iss", issuer);
        }
        if (audience != null) {
            claims.put("aud", audience);
        }
        putPatterns(claims, "channels", channels);
        putPatterns(claims, "publish", publish);
        if (subscribe != null && !subscribe.isEmpty()) {
            subscribe.forEach(claims.putArray("subscribe")::add);
        }
        if (info != null) {
            claims.set("info", info.deepCopy());
        }
        return sign(claims);
    }

    /** Signs an arbitrary claim set with this issuer's secret (HS256), as given. */
    public String sign(ObjectNode claims) {
        return serialize(JWSAlgorithm.HS256, null, claims, signer);
    }

    /**
     * Signs a claim set with a private key: RS256 for an RSA key (at least 2048 bits), ES256 for
     * an EC P-256 key. {@code keyId} becomes the {@code kid} header when not null.
     *
     * @throws IllegalArgumentException when the key is of another type or curve
     */
    public static String sign(ObjectNode claims, PrivateKey key, String keyId) {
        try {
            if (key instanceof RSAPrivateKey rsa) {
                return serialize(JWSAlgorithm.RS256, keyId, claims, new RSASSASigner(rsa));
            }
            if (key instanceof ECPrivateKey ec) {
                if (!Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
                    throw new IllegalArgumentException("EC key must be on curve P-256 for ES256");
                }
                return serialize(JWSAlgorithm.ES256, keyId, claims, new ECDSASigner(ec));
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("private key is not usable for signing: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("private key must be RSA or EC");
    }

    private static void putPatterns(ObjectNode claims, String name, List<String> patterns) {
        if (patterns == null || patterns.isEmpty()) {
            return;
        }
        ArrayNode array = claims.putArray(name);
        for (String pattern : patterns) {
            try {
                ChannelPattern.of(pattern);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
            array.add(pattern);
        }
    }

    private static String serialize(JWSAlgorithm alg, String keyId, ObjectNode claims, JWSSigner signer) {
        JWSHeader header = new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).keyID(keyId).build();
        try {
            JWSObject jws = new JWSObject(header, new Payload(JSON.writeValueAsString(claims)));
            jws.sign(signer);
            return jws.serialize();
        } catch (JsonProcessingException | JOSEException e) {
            throw new IllegalStateException("token could not be signed", e);
        }
    }

    private static MACSigner macSigner(String secret) {
        byte[] bytes = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < VerificationKeys.MIN_HMAC_SECRET_BYTES) {
            throw new IllegalArgumentException("HMAC secret must be at least "
                    + VerificationKeys.MIN_HMAC_SECRET_BYTES + " bytes (HS256 needs a 256-bit key)");
        }
        try {
            return new MACSigner(bytes);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("HMAC secret is not usable for HS256", e);
        }
    }
}
