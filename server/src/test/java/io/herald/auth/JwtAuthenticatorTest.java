package io.herald.auth;

import static io.herald.auth.TestKeys.CLOCK;
import static io.herald.auth.TestKeys.EC;
import static io.herald.auth.TestKeys.EC_OTHER;
import static io.herald.auth.TestKeys.EC_PEM;
import static io.herald.auth.TestKeys.NOW;
import static io.herald.auth.TestKeys.RSA;
import static io.herald.auth.TestKeys.RSA_OTHER;
import static io.herald.auth.TestKeys.RSA_PEM;
import static io.herald.auth.TestKeys.SECRET;
import static io.herald.auth.TestKeys.accepted;
import static io.herald.auth.TestKeys.claims;
import static io.herald.auth.TestKeys.config;
import static io.herald.auth.TestKeys.hs256;
import static io.herald.auth.TestKeys.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import io.herald.auth.AuthException.Reason;
import io.herald.config.JwtConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JwtAuthenticatorTest {
    private static final JwtConfig HMAC = config(SECRET, null, null, null);
    private static final JwtConfig RSA_ONLY = config(null, RSA_PEM, null, null);
    private static final JwtConfig EC_ONLY = config(null, null, EC_PEM, null);
    private static final JwtConfig ALL_STATIC = config(SECRET, RSA_PEM, EC_PEM, null);
    private static final String FULL_CLAIMS = """
            {"channels":["match:*","chat:**"],"publish":["chat:room-1"],"subscribe":["news","user#42"],
             "info":{"name":"Ada","level":3},"iat":1699990000}""";

    static Stream<Arguments> validTokens() {
        return Stream.of(
                Arguments.of("HS256 with the shared secret", HMAC, hs256(claims(FULL_CLAIMS))),
                Arguments.of("RS256 with the RSA public key", RSA_ONLY,
                        TokenIssuer.sign(claims(FULL_CLAIMS), RSA.getPrivate(), null)),
                Arguments.of("ES256 with the EC public key", EC_ONLY,
                        TokenIssuer.sign(claims(FULL_CLAIMS), EC.getPrivate(), "ec-1")),
                Arguments.of("RS256 when every key type is configured", ALL_STATIC,
                        TokenIssuer.sign(claims(FULL_CLAIMS), RSA.getPrivate(), null)),
                Arguments.of("ES256 when every key type is configured", ALL_STATIC,
                        TokenIssuer.sign(claims(FULL_CLAIMS), EC.getPrivate(), null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validTokens")
    void validTokenIsAcceptedWithEveryClaimMapped(String name, JwtConfig config, String token) {
        CompletableFuture<Claims> future = new JwtAuthenticator(config, CLOCK).authenticate(token);

        assertThat(future).as("static keys complete before returning").isDone();
        Claims claims = accepted(future);
        assertThat(claims.user()).isEqualTo("42");
        assertThat(claims.expiresAt()).isEqualTo(NOW + 3600);
        assertThat(claims.channels()).extracting(p -> p.source()).containsExactly("match:*", "chat:**");
        assertThat(claims.channels().get(0).matches("match:7")).isTrue();
        assertThat(claims.publish()).extracting(p -> p.source()).containsExactly("chat:room-1");
        assertThat(claims.subscribe()).containsExactly("news", "user#42");
        assertThat(claims.info()).isEqualTo(TestKeys.JSON.createObjectNode().put("name", "Ada").put("level", 3));
    }

    record Refusal(String name, JwtConfig config, String token, Reason reason, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Refusal> refusals() throws Exception {
        return Stream.concat(signatureRefusals(), claimRefusals());
    }

    static Stream<Refusal> signatureRefusals() throws Exception {
        return Stream.of(
                new Refusal("empty token", HMAC, "", Reason.INVALID, "token is empty"),
                new Refusal("garbage", HMAC, "not-a-jwt", Reason.INVALID, "token is not a well-formed JWT"),
                new Refusal("alg none", HMAC, unsigned(claims()), Reason.INVALID, "token is unsigned (alg none)"),
                new Refusal("alg none with an HMAC signature appended", HMAC, unsigned(claims()) + "c2ln",
                        Reason.INVALID, "token is not a well-formed JWT"),
                new Refusal("encrypted token", HMAC, encrypted(), Reason.INVALID, "encrypted tokens are not supported"),
                new Refusal("HS512", HMAC, hs512(claims()), Reason.INVALID,
                        "token algorithm HS512 is not supported (use HS256, RS256 or ES256)"),
                new Refusal("HS256 signed with the RSA public key as secret", RSA_ONLY,
                        signHs256(claims(), RSA_PEM.getBytes(StandardCharsets.US_ASCII)), Reason.INVALID,
                        "token algorithm HS256 does not match the configured key type"),
                new Refusal("RS256 when only an HMAC secret is configured", HMAC,
                        TokenIssuer.sign(claims(), RSA.getPrivate(), null), Reason.INVALID,
                        "token algorithm RS256 does not match the configured key type"),
                new Refusal("ES256 when only an RSA key is configured", RSA_ONLY,
                        TokenIssuer.sign(claims(), EC.getPrivate(), null), Reason.INVALID,
                        "token algorithm ES256 does not match the configured key type"),
                new Refusal("HS256 with another secret", HMAC,
                        signHs256(claims(), "another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8)),
                        Reason.INVALID, "token signature is invalid"),
                new Refusal("RS256 signed by another key", RSA_ONLY,
                        TokenIssuer.sign(claims(), RSA_OTHER.getPrivate(), null), Reason.INVALID,
                        "token signature is invalid"),
                new Refusal("ES256 signed by another key", EC_ONLY,
                        TokenIssuer.sign(claims(), EC_OTHER.getPrivate(), null), Reason.INVALID,
                        "token signature is invalid"),
                new Refusal("payload swapped after signing", HMAC, swapPayload(hs256(claims()),
                        claims("{\"sub\":\"admin\"}")), Reason.INVALID, "token signature is invalid"),
                new Refusal("signature altered", HMAC, alterSignature(hs256(claims())), Reason.INVALID,
                        "token signature is invalid"));
    }

    static Stream<Refusal> claimRefusals() throws Exception {
        JwtConfig strict = TestKeys.withAudienceAndIssuer(HMAC, "herald", "https://auth.example");
        return Stream.of(
                new Refusal("expired a minute ago", HMAC, hs256(claims("{\"exp\":" + (NOW - 60) + "}")),
                        Reason.EXPIRED, "token expired"),
                new Refusal("expired exactly the clock skew ago", HMAC, hs256(claims("{\"exp\":" + (NOW - 5) + "}")),
                        Reason.EXPIRED, "token expired"),
                new Refusal("no exp", HMAC, hs256(without(claims(), "exp")), Reason.INVALID, "token has no exp claim"),
                new Refusal("exp is a string", HMAC, hs256(claims("{\"exp\":\"tomorrow\"}")), Reason.INVALID,
                        "token claim exp must be a number"),
                new Refusal("nbf in the future", HMAC, hs256(claims("{\"nbf\":" + (NOW + 60) + "}")), Reason.INVALID,
                        "token is not valid yet (nbf is in the future)"),
                new Refusal("aud mismatch", strict, hs256(claims("{\"aud\":\"other\",\"iss\":\"https://auth.example\"}")),
                        Reason.INVALID, "token aud does not match the configured audience"),
                new Refusal("aud array without ours", strict,
                        hs256(claims("{\"aud\":[\"a\",\"b\"],\"iss\":\"https://auth.example\"}")),
                        Reason.INVALID, "token aud does not match the configured audience"),
                new Refusal("aud missing", strict, hs256(claims("{\"iss\":\"https://auth.example\"}")),
                        Reason.INVALID, "token has no aud claim"),
                new Refusal("iss mismatch", strict, hs256(claims("{\"aud\":\"herald\",\"iss\":\"https://evil\"}")),
                        Reason.INVALID, "token iss does not match the configured issuer"),
                new Refusal("sub is a number", HMAC, hs256(claims("{\"sub\":42}")), Reason.INVALID,
                        "token claim sub must be a string"),
                new Refusal("channels is a string", HMAC, hs256(claims("{\"channels\":\"match:*\"}")), Reason.INVALID,
                        "token claim channels must be an array of strings"),
                new Refusal("channels holds a number", HMAC, hs256(claims("{\"channels\":[\"a\",1]}")),
                        Reason.INVALID, "token claim channels must be an array of strings"),
                new Refusal("channels holds an empty pattern", HMAC, hs256(claims("{\"channels\":[\"\"]}")),
                        Reason.INVALID, "token claim channels has an invalid pattern: channel pattern is empty"),
                new Refusal("publish is an object", HMAC, hs256(claims("{\"publish\":{}}")), Reason.INVALID,
                        "token claim publish must be an array of strings"),
                new Refusal("subscribe is a string", HMAC, hs256(claims("{\"subscribe\":\"news\"}")), Reason.INVALID,
                        "token claim subscribe must be an array of strings"),
                new Refusal("info is a string", HMAC, hs256(claims("{\"info\":\"Ada\"}")), Reason.INVALID,
                        "token claim info must be a JSON object"),
                new Refusal("info is an array", HMAC, hs256(claims("{\"info\":[1]}")), Reason.INVALID,
                        "token claim info must be a JSON object"),
                new Refusal("duplicate sub in the payload", HMAC,
                        signRaw("{\"sub\":\"42\",\"sub\":\"admin\",\"exp\":" + (NOW + 60) + "}"), Reason.INVALID,
                        "token payload is not valid JSON"),
                new Refusal("payload is an array", HMAC, signRaw("[1,2]"), Reason.INVALID,
                        "token payload is not a JSON object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void badTokenIsRefusedWithAShortReasonThatDoesNotQuoteIt(Refusal c) {
        CompletableFuture<Claims> future = new JwtAuthenticator(c.config(), CLOCK).authenticate(c.token());

        assertThat(future).isDone();
        AuthException e = refused(future);
        assertThat(e.reason()).isEqualTo(c.reason());
        assertThat(e.getMessage()).isEqualTo(c.message());
        if (!c.token().isEmpty()) {
            assertThat(e.getMessage()).doesNotContain(c.token());
            for (String part : c.token().split("\\.")) {
                if (part.length() > 8) {
                    assertThat(e.getMessage()).doesNotContain(part);
                }
            }
        }
    }

    @Test
    void tokenExpiredLessThanTheClockSkewAgoIsStillAccepted() {
        String token = hs256(claims("{\"exp\":" + (NOW - 4) + "}"));

        Claims claims = accepted(new JwtAuthenticator(HMAC, CLOCK).authenticate(token));

        assertThat(claims.expiresAt()).isEqualTo(NOW - 4);
    }

    @Test
    void nbfWithinTheClockSkewIsAccepted() {
        assertThat(accepted(new JwtAuthenticator(HMAC, CLOCK)
                .authenticate(hs256(claims("{\"nbf\":" + (NOW + 5) + "}")))).user()).isEqualTo("42");
    }

    @Test
    void tokenWithoutExpIsAcceptedWhenAllowNoExpIsSet() {
        Claims claims = accepted(new JwtAuthenticator(TestKeys.allowingNoExp(HMAC), CLOCK)
                .authenticate(hs256(without(claims(), "exp"))));

        assertThat(claims.expiresAt()).isZero();
    }

    @Test
    void audienceMayBeAnArrayContainingOursAndIssuerMustMatch() {
        JwtConfig strict = TestKeys.withAudienceAndIssuer(HMAC, "herald", "https://auth.example");
        String token = hs256(claims("{\"aud\":[\"other\",\"herald\"],\"iss\":\"https://auth.example\"}"));

        assertThat(accepted(new JwtAuthenticator(strict, CLOCK).authenticate(token)).user()).isEqualTo("42");
    }

    @Test
    void missingOrNullOptionalClaimsMeanAnAnonymousUserWithNoPermissions() {
        ObjectNode bare = TestKeys.JSON.createObjectNode().put("exp", NOW + 60).putNull("channels").putNull("info");

        Claims claims = accepted(new JwtAuthenticator(HMAC, CLOCK).authenticate(hs256(bare)));

        assertThat(claims.isAnonymous()).isTrue();
        assertThat(claims.channels()).isEmpty();
        assertThat(claims.publish()).isEmpty();
        assertThat(claims.subscribe()).isEmpty();
        assertThat(claims.info()).isNull();
    }

    @Test
    void rsaPublicKeyMayBeGivenAsAPathToAPemFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("rsa.pem"), RSA_PEM);
        String token = TokenIssuer.sign(claims(), RSA.getPrivate(), null);

        Claims claims = accepted(new JwtAuthenticator(config(null, file.toString(), null, null), CLOCK)
                .authenticate(token));

        assertThat(claims.user()).isEqualTo("42");
    }

    @Test
    void tooLongTokenIsRefusedBeforeParsing() {
        String token = "a".repeat(JwtAuthenticator.MAX_TOKEN_LENGTH + 1);

        AuthException e = refused(new JwtAuthenticator(HMAC, CLOCK).authenticate(token));

        assertThat(e.getMessage()).isEqualTo("token is longer than 16384 characters");
    }

    static Stream<Arguments> badConfigs() throws Exception {
        KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPairGenerator rsa1024 = KeyPairGenerator.getInstance("RSA");
        rsa1024.initialize(1024);
        return Stream.of(
                Arguments.of(config(null, null, null, null), "no token key configured"),
                Arguments.of(config("too-short", null, null, null), "jwt.hmac_secret must be at least 32 bytes"),
                Arguments.of(config(null, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", null, null),
                        "jwt.rsa_public_key: PEM block is not an RSA public key"),
                Arguments.of(config(null, EC_PEM, null, null), "jwt.rsa_public_key: PEM block is not an RSA public key"),
                Arguments.of(config(null, "/no/such/key.pem", null, null), "jwt.rsa_public_key: value is neither"),
                Arguments.of(config(null, TestKeys.pem(rsa1024.generateKeyPair().getPublic()), null, null),
                        "jwt.rsa_public_key must be at least 2048 bits"),
                Arguments.of(config(null, null, RSA_PEM, null), "jwt.ec_public_key: PEM block is not an EC public key"),
                Arguments.of(config(null, null, TestKeys.pem(p384.generateKeyPair().getPublic()), null),
                        "jwt.ec_public_key must be on curve P-256"),
                Arguments.of(config(null, null, null, "ftp://keys.example/jwks"),
                        "jwt.jwks_url must be an http or https URL"));
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void unusableKeyConfigFailsFastNamingTheKey(JwtConfig config, String message) {
        assertThatThrownBy(() -> new JwtAuthenticator(config, CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    private static ObjectNode without(ObjectNode claims, String name) {
        claims.remove(name);
        return claims;
    }

    private static String unsigned(ObjectNode claims) {
        return Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Base64URL.encode(claims.toString()) + ".";
    }

    private static String signHs256(ObjectNode claims, byte[] secret) throws Exception {
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(claims.toString()));
        jws.sign(new MACSigner(secret));
        return jws.serialize();
    }

    private static String hs512(ObjectNode claims) throws Exception {
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS512), new Payload(claims.toString()));
        jws.sign(new MACSigner((SECRET + SECRET).getBytes(StandardCharsets.UTF_8)));
        return jws.serialize();
    }

    private static String signRaw(String payload) throws Exception {
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payload));
        jws.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jws.serialize();
    }

    private static String encrypted() throws Exception {
        JWEObject jwe = new JWEObject(new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A128GCM),
                new Payload(claims().toString()));
        jwe.encrypt(new DirectEncrypter(new byte[16]));
        return jwe.serialize();
    }

    private static String swapPayload(String token, ObjectNode claims) {
        List<String> parts = List.of(token.split("\\."));
        return parts.get(0) + "." + Base64URL.encode(claims.toString()) + "." + parts.get(2);
    }

    private static String alterSignature(String token) {
        int i = token.lastIndexOf('.') + 3;
        char c = token.charAt(i) == 'A' ? 'B' : 'A';
        return token.substring(0, i) + c + token.substring(i + 1);
    }
}
