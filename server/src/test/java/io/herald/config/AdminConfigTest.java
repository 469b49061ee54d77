package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.auth.PasswordHash;
import io.herald.config.ConfigLoader.Overrides;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin: section and HERALD_ADMIN_* variables: defaults by mode, validation, precedence, redaction. */
class AdminConfigTest {
    static final String BASE = "api_key: k\nallow_anonymous: true\n";
    static final String HASH = PasswordHash.of("a password of some length", 10_000).toString();

    @TempDir
    Path dir;

    HeraldConfig load(String yaml, Map<String, String> env) throws IOException {
        Path file = null;
        if (yaml != null) {
            file = dir.resolve("herald.yaml");
            Files.writeString(file, yaml);
        }
        return ConfigLoader.load(file, env, Overrides.NONE);
    }

    @Test
    void theAdminUiIsOffByDefaultOutsideDevMode() throws IOException {
        assertThat(load(BASE, Map.of()).admin().enabled()).isFalse();
    }

    @Test
    void devModeTurnsItOnWithARandomPrintedPassword() throws IOException {
        AdminConfig a = load(null, Map.of()).admin();
        assertThat(a.enabled()).isTrue();
        assertThat(a.devPassword()).isTrue();
        assertThat(a.password()).hasSizeGreaterThanOrEqualTo(AdminConfig.MIN_PASSWORD_CHARS);
        assertThat(load(null, Map.of()).admin().password()).isNotEqualTo(a.password());
        assertThat(load(null, Map.of("HERALD_ADMIN_ENABLED", "false")).admin().enabled()).isFalse();
    }

    @Test
    void theYamlSectionIsRead() throws IOException {
        AdminConfig a = load(BASE + "admin:\n  enabled: true\n  password: 'twelve chars!!'\n  session_ttl: 2h\n", Map.of()).admin();
        assertThat(a).isEqualTo(new AdminConfig(true, "twelve chars!!", null, Duration.ofHours(2), false));
        AdminConfig h = load(BASE + "admin: {enabled: true, password_hash: '" + HASH + "'}\n", Map.of()).admin();
        assertThat(h.passwordHash()).isEqualTo(HASH);
        assertThat(h.password()).isNull();
    }

    @Test
    void theEnvironmentEnablesAndReplacesTheFilesPassword() throws IOException {
        AdminConfig a = load(BASE + "admin: {password_hash: '" + HASH + "'}\n",
                Map.of("HERALD_ADMIN_ENABLED", "true", "HERALD_ADMIN_PASSWORD", "from the environment")).admin();
        assertThat(a.enabled()).isTrue();
        assertThat(a.password()).isEqualTo("from the environment");
        assertThat(a.passwordHash()).isNull();
        AdminConfig h = load(BASE, Map.of("HERALD_ADMIN_ENABLED", "true", "HERALD_ADMIN_PASSWORD_HASH", HASH)).admin();
        assertThat(h.passwordHash()).isEqualTo(HASH);
    }

    @Test
    void badSettingsFailNamingThemselves() {
        assertThatThrownBy(() -> load(BASE + "admin: {enabled: true}\n", Map.of()))
                .hasMessageContaining("admin.enabled").hasMessageContaining("admin.password");
        assertThatThrownBy(() -> load(BASE + "admin: {enabled: true, password: short}\n", Map.of()))
                .hasMessageContaining("admin.password: must be at least 12 characters");
        assertThatThrownBy(() -> load(BASE + "admin: {enabled: true, password_hash: 'md5$abc'}\n", Map.of()))
                .hasMessageContaining("admin.password_hash: must be pbkdf2-sha256$");
        assertThatThrownBy(() -> load(BASE + "admin: {enabled: true, password: 'twelve chars!!', password_hash: '" + HASH + "'}\n",
                Map.of())).hasMessageContaining("set only one of the two");
        assertThatThrownBy(() -> load(BASE + "admin: {passwrd: x}\n", Map.of()))
                .hasMessageContaining("unknown key 'admin.passwrd'").hasMessageContaining("admin.password");
        assertThatThrownBy(() -> load(BASE, Map.of("HERALD_ADMIN_ENABLED", "yes")))
                .hasMessageContaining("HERALD_ADMIN_ENABLED: must be true or false");
        assertThatThrownBy(() -> load(BASE, Map.of("HERALD_ADMIN_PASSWORD", "twelve chars!!", "HERALD_ADMIN_PASSWORD_HASH", HASH)))
                .hasMessageContaining("set only one of the two");
        assertThatThrownBy(() -> load(BASE + "admin: {enabled: true, password: 'twelve chars!!', session_ttl: 5s}\n", Map.of()))
                .hasMessageContaining("admin.session_ttl: must be at least 1m");
    }

    @Test
    void checkConfigRedactsThePassword() throws IOException {
        String text = ConfigLoader.describe(load(BASE + "admin: {enabled: true, password: 'a secret password'}\n", Map.of()));
        assertThat(text).contains("admin:", "enabled: true", "password: \"<redacted, 17 chars>\"").doesNotContain("a secret password");
    }

    @Test
    void aPasswordHashMatchesOnlyItsPassword() {
        PasswordHash h = PasswordHash.parse(HASH);
        assertThat(h.matches("a password of some length")).isTrue();
        assertThat(h.matches("a password of some lengtH")).isFalse();
        assertThat(PasswordHash.parse(h.toString()).toString()).isEqualTo(HASH);
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$100$AAAA$BBBB")).hasMessageContaining("iterations");
    }
}
