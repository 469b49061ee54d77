package io.herald.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.config.JwtConfig;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Keys, configs and small helpers shared by the auth tests. Keys are generated once per JVM. */
final class TestKeys {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long NOW = 1_700_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    static final String SECRET = "0123456789abcdef0123456789abcdef-herald";
    static final KeyPair RSA = generate("RSA", 2048);
    static final KeyPair RSA_OTHER = generate("RSA", 2048);
    static final KeyPair EC = generateEc("secp256r1");
    static final KeyPair EC_OTHER = generateEc("secp256r1");
    static final String RSA_PEM = pem(RSA.getPublic());
    static final String EC_PEM = pem(EC.getPublic());

    private TestKeys() {
    }

    static String pem(PublicKey key) {
        return Pem.encode("PUBLIC KEY", key.getEncoded());
    }

    static JwtConfig config(String hmac, String rsa, String ec, String jwks) {
        return new JwtConfig(hmac, rsa, ec, jwks, null, null, false, Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofMinutes(5));
    }

    static JwtConfig withAudienceAndIssuer(JwtConfig c, String audience, String issuer) {
        return new JwtConfig(c.hmacSecret(), c.rsaPublicKey(), c.ecPublicKey(), c.jwksUrl(), audience, issuer,
                c.allowNoExp(), c.refreshGrace(), c.refreshAhead(), c.jwksRefresh());
    }

    static JwtConfig allowingNoExp(JwtConfig c) {
        return new JwtConfig(c.hmacSecret(), c.rsaPublicKey(), c.ecPublicKey(), c.jwksUrl(), c.audience(),
                c.issuer(), true, c.refreshGrace(), c.refreshAhead(), c.jwksRefresh());
    }

    /** Claims valid at {@link #NOW}: a user and an exp one hour ahead. */
    static ObjectNode claims() {
        ObjectNode claims = JSON.createObjectNode();
        claims.put("sub", "42");
        claims.put("exp", NOW + 3600);
        return claims;
    }

    static ObjectNode claims(String json) {
        try {
            ObjectNode claims = claims();
            claims.setAll((ObjectNode) JSON.readTree(json));
            return claims;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String hs256(ObjectNode claims) {
        return new TokenIssuer(SECRET).sign(claims);
    }

    /** Waits for the result of an authentication; a refusal is returned as its AuthException. */
    static Object outcome(CompletableFuture<Claims> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(AuthException.class);
            return e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("authentication did not complete", e);
        }
    }

    static Claims accepted(CompletableFuture<Claims> future) {
        Object outcome = outcome(future);
        if (outcome instanceof AuthException e) {
            throw new AssertionError("token refused: " + e.reason() + " " + e.getMessage());
        }
        return (Claims) outcome;
    }

    static AuthException refused(CompletableFuture<Claims> future) {
        Object outcome = outcome(future);
        assertThat(outcome).as("refusal").isInstanceOf(AuthException.class);
        return (AuthException) outcome;
    }

    private static KeyPair generate(String algorithm, int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generateEc(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
