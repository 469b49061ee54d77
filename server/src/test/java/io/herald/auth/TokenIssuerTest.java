package io.herald.auth;

import static io.herald.auth.TestKeys.CLOCK;
import static io.herald.auth.TestKeys.NOW;
import static io.herald.auth.TestKeys.SECRET;
import static io.herald.auth.TestKeys.accepted;
import static io.herald.auth.TestKeys.config;
import static io.herald.auth.TestKeys.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.config.JwtConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenIssuerTest {
    private final TokenIssuer issuer = new TokenIssuer(SECRET).withClock(CLOCK);
    private final JwtAuthenticator authenticator = new JwtAuthenticator(config(SECRET, null, null, null), CLOCK);

    @Test
    void issuedTokenVerifiesWithEveryClaimAsGiven() {
        ObjectNode info = TestKeys.JSON.createObjectNode().put("name", "Ada");

        String token = issuer.issue("42", List.of("match:*"), List.of("chat:**"), List.of("match:7"), info,
                Duration.ofHours(1));
        Claims claims = accepted(authenticator.authenticate(token));

        assertThat(claims.user()).isEqualTo("42");
        assertThat(claims.expiresAt()).isEqualTo(NOW + 3600);
        assertThat(claims.channels()).extracting(p -> p.source()).containsExactly("match:*");
        assertThat(claims.publish()).extracting(p -> p.source()).containsExactly("chat:**");
        assertThat(claims.subscribe()).containsExactly("match:7");
        assertThat(claims.info()).isEqualTo(info);
    }

    @Test
    void issuerAndAudienceAreWrittenForServersThatCheckThem() {
        JwtConfig strict = TestKeys.withAudienceAndIssuer(config(SECRET, null, null, null), "herald", "ops");
        String token = issuer.withIssuer("ops").withAudience("herald")
                .issue("7", null, null, null, null, Duration.ofMinutes(5));

        assertThat(accepted(new JwtAuthenticator(strict, CLOCK).authenticate(token)).user()).isEqualTo("7");
    }

    @Test
    void tokenWithoutTtlHasNoExpAndIsAcceptedOnlyWhereAllowed() {
        String token = issuer.issue("", List.of(), List.of(), List.of(), null, null);

        assertThat(refused(authenticator.authenticate(token)).getMessage()).isEqualTo("token has no exp claim");
        Claims claims = accepted(new JwtAuthenticator(TestKeys.allowingNoExp(config(SECRET, null, null, null)), CLOCK)
                .authenticate(token));
        assertThat(claims.isAnonymous()).isTrue();
        assertThat(claims.expiresAt()).isZero();
    }

    @Test
    void secretShorterThan32BytesIsRefused() {
        assertThatThrownBy(() -> new TokenIssuer("short-secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("HMAC secret must be at least 32 bytes (HS256 needs a 256-bit key)");
    }

    @Test
    void badPatternFailsWhenIssuingNotWhenConnecting() {
        assertThatThrownBy(() -> issuer.issue("1", List.of(""), null, null, null, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("channels: channel pattern is empty");
    }

    @Test
    void ttlThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> issuer.issue("1", null, null, null, null, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ttl must be positive");
    }
}
