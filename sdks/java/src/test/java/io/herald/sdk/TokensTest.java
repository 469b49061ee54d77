package io.herald.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tokens made by HeraldTokens, verified by a real node: HS256, RS256 and ES256, from every PEM form. */
class TokensTest {
    private static KeyPair rsa;
    private static KeyPair ec;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator r = KeyPairGenerator.getInstance("RSA");
        r.initialize(2048);
        rsa = r.generateKeyPair();
        KeyPairGenerator e = KeyPairGenerator.getInstance("EC");
        e.initialize(new ECGenParameterSpec("secp256r1"));
        ec = e.generateKeyPair();
        server = TestServer.withPublicKeys(pem("PUBLIC KEY", rsa.getPublic().getEncoded()),
                pem("PUBLIC KEY", ec.getPublic().getEncoded()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** The key inside a PKCS#8 PrivateKeyInfo: PKCS#1 for RSA, SEC1 for EC (SEQUENCE { INTEGER, SEQUENCE, OCTET STRING }). */
    private static byte[] innerKey(byte[] pkcs8) {
        int[] pos = {0};
        header(pkcs8, pos); // outer SEQUENCE: step inside
        int version = header(pkcs8, pos); // INTEGER 0
        pos[0] += version;
        int algorithm = header(pkcs8, pos); // AlgorithmIdentifier SEQUENCE
        pos[0] += algorithm;
        int len = header(pkcs8, pos); // OCTET STRING
        return Arrays.copyOfRange(pkcs8, pos[0], pos[0] + len);
    }

    /** Reads a tag and length at pos[0], leaves pos[0] at the content; returns the content length. */
    private static int header(byte[] der, int[] pos) {
        pos[0]++; // tag
        int first = der[pos[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int len = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            len = (len << 8) | (der[pos[0]++] & 0xff);
        }
        return len;
    }

    /** Connects with the token and returns the {@code connected} push. */
    private static JsonNode connect(String token) {
        try (RawWs ws = new RawWs(server.url(), token)) {
            return ws.next();
        }
    }

    private static JsonNode payload(String token) throws Exception {
        return Json.MAPPER.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }

    private static JsonNode header(String token) throws Exception {
        return Json.MAPPER.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[0]));
    }

    @Test
    void anHs256TokenCarriesTheProtocolsClaimNamesAndConnectsAsItsUser() throws Exception {
        TokenClaims claims = TokenClaims.user("42").withChannels("match:*").withPublish("chat:*").withSubscribe("news")
                .withInfo(Map.of("name", "Ada")).withTtl(Duration.ofMinutes(5));
        Instant now = Instant.now();
        String token = HeraldTokens.createToken(claims, TestServer.SECRET, now);
        JsonNode p = payload(token);
        assertThat(header(token).get("alg").asText()).isEqualTo("HS256");
        assertThat(p.get("sub").asText()).isEqualTo("42");
        assertThat(p.get("iat").asLong()).isEqualTo(now.getEpochSecond());
        assertThat(p.get("exp").asLong()).isEqualTo(now.getEpochSecond() + 300);
        assertThat(p.get("channels")).isEqualTo(Json.MAPPER.valueToTree(List.of("match:*")));
        assertThat(p.get("publish")).isEqualTo(Json.MAPPER.valueToTree(List.of("chat:*")));
        assertThat(p.get("subscribe")).isEqualTo(Json.MAPPER.valueToTree(List.of("news")));
        assertThat(p.get("info").get("name").asText()).isEqualTo("Ada");
        JsonNode connected = connect(token);
        assertThat(connected.get("type").asText()).isEqualTo("connected");
        assertThat(connected.get("user").asText()).isEqualTo("42");
        assertThat(connected.get("expires").asLong()).isEqualTo(now.getEpochSecond() + 300);
    }

    @Test
    void rs256TokensFromPkcs8AndPkcs1PemConnect() throws Exception {
        byte[] pkcs8 = rsa.getPrivate().getEncoded();
        for (String pem : List.of(pem("PRIVATE KEY", pkcs8), pem("RSA PRIVATE KEY", innerKey(pkcs8)))) {
            String token = HeraldTokens.createToken(TokenClaims.user("rsa-user"), pem);
            assertThat(header(token).get("alg").asText()).isEqualTo("RS256");
            assertThat(connect(token).get("user").asText()).isEqualTo("rsa-user");
        }
    }

    @Test
    void es256TokensFromPkcs8AndSec1PemConnect() throws Exception {
        byte[] pkcs8 = ec.getPrivate().getEncoded();
        for (String pem : List.of(pem("PRIVATE KEY", pkcs8), "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + pem("EC PRIVATE KEY", innerKey(pkcs8)))) {
            String token = HeraldTokens.createToken(TokenClaims.user("ec-user"), pem);
            assertThat(header(token).get("alg").asText()).isEqualTo("ES256");
            assertThat(connect(token).get("user").asText()).isEqualTo("ec-user");
        }
        assertThat(connect(HeraldTokens.createToken(TokenClaims.user("ec-key"), ec.getPrivate())).get("user").asText())
                .isEqualTo("ec-key");
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRefusedByTheServer() {
        String token = HeraldTokens.createToken(TokenClaims.user("x"), "some-other-secret-of-at-least-32-bytes!");
        JsonNode first = connect(token);
        assertThat(first.get("type").asText()).isEqualTo("disconnect");
        assertThat(first.get("code").asInt()).isEqualTo(4003);
    }

    @Test
    void badKeysAndClaimsAreRefusedWithAClearError() throws Exception {
        assertThatThrownBy(() -> HeraldTokens.createToken(TokenClaims.user("x"), "short"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> HeraldTokens.createToken(TokenClaims.user("x"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no PEM private key");
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair p384 = g.generateKeyPair();
        assertThatThrownBy(() -> HeraldTokens.createToken(TokenClaims.user("x"), pem("PRIVATE KEY", p384.getPrivate().getEncoded())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
        assertThatThrownBy(() -> TokenClaims.user("x").withTtl(Duration.ofMillis(1500)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole number of seconds");
    }
}
