package io.herald.auth;

import static io.herald.auth.TestKeys.CLOCK;
import static io.herald.auth.TestKeys.EC;
import static io.herald.auth.TestKeys.RSA;
import static io.herald.auth.TestKeys.RSA_OTHER;
import static io.herald.auth.TestKeys.SECRET;
import static io.herald.auth.TestKeys.accepted;
import static io.herald.auth.TestKeys.claims;
import static io.herald.auth.TestKeys.config;
import static io.herald.auth.TestKeys.hs256;
import static io.herald.auth.TestKeys.refused;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import io.herald.auth.AuthException.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Verification against a JWKS served by a real HTTP server on a free port. */
class JwksAuthenticatorTest {
    private final AtomicReference<String> jwks = new AtomicReference<>();
    private final AtomicReference<Integer> status = new AtomicReference<>(200);
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
    private HttpServer server;
    private JwtAuthenticator authenticator;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks", exchange -> {
            fetches.incrementAndGet();
            awaitGate();
            byte[] body = jwks.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.get(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        if (authenticator != null) {
            authenticator.close();
        }
        server.stop(0);
    }

    private void awaitGate() {
        try {
            gate.get().await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    private static String keySet(JWK... keys) {
        return new JWKSet(List.of(keys)).toString();
    }

    private static JWK rsa(RSAPublicKey key, String kid) {
        return new RSAKey.Builder(key).keyID(kid).keyUse(KeyUse.SIGNATURE).build();
    }

    private static JWK ec(ECPublicKey key, String kid) {
        return new ECKey.Builder(Curve.P_256, key).keyID(kid).build();
    }

    @Test
    void rs256AndEs256TokensAreVerifiedWithKeysFromTheJwksAndFetchedOnce() {
        jwks.set(keySet(rsa((RSAPublicKey) RSA.getPublic(), "rsa-1"), ec((ECPublicKey) EC.getPublic(), "ec-1")));
        authenticator = new JwtAuthenticator(config(null, null, null, url()), CLOCK);

        Claims viaRsa = accepted(authenticator.authenticate(TokenIssuer.sign(claims(), RSA.getPrivate(), "rsa-1")));
        Claims viaEc = accepted(authenticator.authenticate(TokenIssuer.sign(claims(), EC.getPrivate(), "ec-1")));
        Claims withoutKid = accepted(authenticator.authenticate(TokenIssuer.sign(claims(), RSA.getPrivate(), null)));

        assertThat(List.of(viaRsa.user(), viaEc.user(), withoutKid.user())).containsOnly("42");
        assertThat(fetches.get()).as("the key set is cached").isEqualTo(1);
    }

    @Test
    void jwksVerificationReturnsAtOnceAndCompletesWhenTheFetchAnswers() {
        jwks.set(keySet(rsa((RSAPublicKey) RSA.getPublic(), "k1")));
        CountDownLatch held = new CountDownLatch(1);
        gate.set(held);
        authenticator = new JwtAuthenticator(config(null, null, null, url()), CLOCK);

        var future = authenticator.authenticate(TokenIssuer.sign(claims(), RSA.getPrivate(), "k1"));

        assertThat(future).as("caller is not blocked by the fetch").isNotDone();
        held.countDown();
        assertThat(accepted(future).user()).isEqualTo("42");
    }

    @Test
    void rotatedKeyWithANewKidIsPickedUpByRefetching() {
        jwks.set(keySet(rsa((RSAPublicKey) RSA.getPublic(), "2024-01")));
        authenticator = new JwtAuthenticator(config(null, null, null, url()), CLOCK);
        accepted(authenticator.authenticate(TokenIssuer.sign(claims(), RSA.getPrivate(), "2024-01")));

        jwks.set(keySet(rsa((RSAPublicKey) RSA_OTHER.getPublic(), "2024-02")));
        Claims claims = accepted(authenticator.authenticate(TokenIssuer.sign(claims(), RSA_OTHER.getPrivate(), "2024-02")));

        assertThat(claims.user()).isEqualTo("42");
        assertThat(fetches.get()).isEqualTo(2);
    }

    @Test
    void unknownKidIsRefusedAfterARefetch() {
        jwks.set(keySet(rsa((RSAPublicKey) RSA.getPublic(), "k1")));
        authenticator = new JwtAuthenticator(config(null, null, null, url()), CLOCK);
        accepted(authenticator.authenticate(TokenIssuer.sign(claims(), RSA.getPrivate(), "k1")));

        AuthException e = refused(authenticator.authenticate(TokenIssuer.sign(claims(), RSA_OTHER.getPrivate(), "k9")));

        assertThat(e.reason()).isEqualTo(Reason.INVALID);
        assertThat(e.getMessage()).isEqualTo("no key in the JWKS matches the token");
        assertThat(fetches.get()).isEqualTo(2);
    }

    @Test
    void tokenSignedByAnotherKeyWithAKnownKidIsRefused() {
        jwks.set(keySet(rsa((RSAPublicKey) RSA.getPublic(), "k1")));
        authenticator = new JwtAuthenticator(config(null, null, null, url()), CLOCK);
        String token = TokenIssuer.sign(claims(), RSA_OTHER.getPrivate(), "k1");

        AuthException e = refused(authenticator.authenticate(token));

        assertThat(e.getMessage()).isEqualTo("token signature is invalid").doesNotContain(token);
    }

    @Test
    void unreachableJwksMakesTheTokenUnverifiable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        authenticator = new JwtAuthenticator(
                config(null, null, null, "http://127.0.0.1:" + closedPort + "/jwks"), CLOCK);
        String token = TokenIssuer.sign(claims(), RSA.getPrivate(), "k1");

        AuthException e = refused(authenticator.authenticate(token));

        assertThat(e.reason()).isEqualTo(Reason.UNVERIFIABLE);
        assertThat(e.getMessage()).isEqualTo("token keys could not be fetched from the JWKS URL").doesNotContain(token);
    }

    @Test
    void jwksAnsweringWithAnErrorMakesTheTokenUnverifiable() {
        jwks.set("{\"error\":\"down\"}");
        status.set(503);
        authenticator = new JwtAuthenticator(config(null, null, null, url()), CLOCK);

        AuthException e = refused(authenticator.authenticate(TokenIssuer.sign(claims(), RSA.getPrivate(), "k1")));

        assertThat(e.reason()).isEqualTo(Reason.UNVERIFIABLE);
    }

    @Test
    void hs256TokenIsVerifiedWithoutAThreadHopOrFetchWhenASecretIsAlsoConfigured() {
        jwks.set(keySet(rsa((RSAPublicKey) RSA.getPublic(), "k1")));
        authenticator = new JwtAuthenticator(config(SECRET, null, null, url()), CLOCK);

        var future = authenticator.authenticate(hs256(claims()));

        assertThat(future).isDone();
        assertThat(accepted(future).user()).isEqualTo("42");
        assertThat(fetches.get()).isZero();
    }

    @Test
    void hs256TokenIsRefusedWhenOnlyAJwksIsConfigured() {
        jwks.set(keySet(rsa((RSAPublicKey) RSA.getPublic(), "k1")));
        authenticator = new JwtAuthenticator(config(null, null, null, url()), CLOCK);

        AuthException e = refused(authenticator.authenticate(hs256(claims())));

        assertThat(e.getMessage()).isEqualTo("token algorithm HS256 does not match the configured key type");
    }

    @Test
    void closedAuthenticatorRefusesJwksTokensAsUnverifiable() {
        jwks.set(keySet(rsa((RSAPublicKey) RSA.getPublic(), "k1")));
        authenticator = new JwtAuthenticator(config(null, null, null, url()), CLOCK);
        authenticator.close();

        AuthException e = refused(authenticator.authenticate(TokenIssuer.sign(claims(), RSA.getPrivate(), "k1")));

        assertThat(e.reason()).isEqualTo(Reason.UNVERIFIABLE);
    }
}
