package io.herald.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.AdminConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Signed session tokens: accepted by any node with the same secrets, refused when altered, expired or logged out. */
class AdminSessionsTest {
    static AdminSessions sessions(String apiKey, String password, Duration ttl) {
        return new AdminSessions(new AdminConfig(true, password, null, ttl, false), apiKey);
    }

    @Test
    void aTokenIsValidOnEveryNodeWithTheSameSecretsOnly() {
        AdminSessions a = sessions("key", "password one!", Duration.ofHours(1));
        String token = a.open();
        assertThat(a.valid(token)).isTrue();
        assertThat(sessions("key", "password one!", Duration.ofHours(1)).valid(token)).isTrue();
        assertThat(sessions("other key", "password one!", Duration.ofHours(1)).valid(token)).isFalse();
        assertThat(sessions("key", "password two!", Duration.ofHours(1)).valid(token)).isFalse();
    }

    @Test
    void anAlteredExpiredOrLoggedOutTokenIsRefused() {
        AdminSessions a = sessions("key", "password one!", Duration.ofHours(1));
        String token = a.open();
        String later = Long.toString(Long.parseLong(token.substring(0, token.indexOf('.')), 36) + 86_400_000L, 36)
                + token.substring(token.indexOf('.'));
        assertThat(a.valid(later)).isFalse();
        assertThat(a.valid(token + "A")).isFalse();
        assertThat(a.valid("")).isFalse();
        assertThat(a.valid("..")).isFalse();
        assertThat(a.valid(null)).isFalse();
        assertThat(sessions("key", "p", Duration.ofMillis(-1)).valid(sessions("key", "p", Duration.ofMillis(-1)).open())).isFalse();
        a.close(token);
        assertThat(a.valid(token)).isFalse();
        assertThat(a.valid(a.open())).isTrue();
    }
}
