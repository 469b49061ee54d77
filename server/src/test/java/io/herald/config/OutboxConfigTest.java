package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.ConfigLoader.Overrides;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxConfigTest {
    @TempDir
    Path dir;

    private HeraldConfig yaml(String text, Map<String, String> env) throws IOException {
        Path file = dir.resolve("herald.yaml");
        Files.writeString(file, text);
        return ConfigLoader.load(file, env, Overrides.NONE);
    }

    private void yamlFails(String text, String message) throws IOException {
        Path file = dir.resolve("herald.yaml");
        Files.writeString(file, text);
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Overrides.NONE))
                .isInstanceOf(ConfigException.class).hasMessage(message);
    }

    private static void envFails(Map<String, String> env, String messageStart) {
        assertThatThrownBy(() -> ConfigLoader.load(null, env, Overrides.NONE))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(messageStart);
    }

    @Test
    void noOutboxIsConfiguredByDefault() {
        assertThat(ConfigLoader.load(null, Map.of(), Overrides.NONE).outbox()).isNull();
    }

    @Test
    void aPostgresqlUrlBecomesAJdbcUrlWithItsCredentialsApartAndTheOtherKeysTakeTheirDefaults() {
        OutboxConfig o = ConfigLoader.load(null, Map.of("HERALD_OUTBOX_URL",
                "postgresql://app:p%40ss:w@db.internal:5433/shop?sslmode=require"), Overrides.NONE).outbox();
        assertThat(o.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/shop?sslmode=require");
        assertThat(o.user()).isEqualTo("app");
        assertThat(o.password()).isEqualTo("p@ss:w");
        assertThat(o.table()).isEqualTo("herald_outbox");
        assertThat(o.deadTable()).isEqualTo("herald_outbox_dead");
        assertThat(o.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.batchSize()).isEqualTo(500);
        assertThat(o.toString()).doesNotContain("p%40ss");

        OutboxConfig bare = OutboxConfig.of("postgres://localhost/app", "test");
        assertThat(bare.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/app");
        assertThat(bare.user()).isNull();
        assertThat(bare.password()).isNull();
    }

    @Test
    void theYamlSectionSetsEveryKeyAndTheEnvironmentOverridesIt() throws IOException {
        String text = """
                outbox:
                  url: "postgresql://u:secret@127.0.0.1:5432/app"
                  table: app_events
                  poll_interval: 250ms
                  batch_size: 100
                """;
        OutboxConfig o = yaml(text, Map.of()).outbox();
        assertThat(o.table()).isEqualTo("app_events");
        assertThat(o.pollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(o.batchSize()).isEqualTo(100);

        OutboxConfig env = yaml(text, Map.of("HERALD_OUTBOX_TABLE", "other_events", "HERALD_OUTBOX_POLL_INTERVAL", "2s",
                "HERALD_OUTBOX_URL", "postgresql://v@db:5432/other")).outbox();
        assertThat(env.table()).isEqualTo("other_events");
        assertThat(env.pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(env.batchSize()).isEqualTo(100);
        assertThat(env.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/other");

        String described = ConfigLoader.describe(yaml(text, Map.of()));
        assertThat(described).contains("postgresql://u:<redacted>@127.0.0.1:5432/app", "table: app_events",
                "poll_interval: 250ms", "batch_size: 100").doesNotContain(":secret@");
    }

    @Test
    void badOutboxValuesFailAtStartNamingTheirKey() throws IOException {
        yamlFails("outbox: {url: \"mysql://db/app\"}",
                "outbox.url: invalid PostgreSQL URL 'mysql://db/app' (use postgresql://user:password@host:5432/database)");
        yamlFails("outbox: {url: \"postgresql://u:pw@db:5432\"}",
                "outbox.url: invalid PostgreSQL URL 'postgresql://u:<redacted>@db:5432' (name the database:"
                        + " postgresql://user:password@host:5432/database)");
        yamlFails("outbox: {url: \"postgresql://db/app\", table: Events}",
                "outbox.table: invalid table name 'Events' (1-55 characters of a-z 0-9 _, not starting with a digit)");
        yamlFails("outbox: {url: \"postgresql://db/app\", table: \"events; drop table users\"}",
                "outbox.table: invalid table name 'events; drop table users' (1-55 characters of a-z 0-9 _, not starting with a digit)");
        yamlFails("outbox: {url: \"postgresql://db/app\", table: " + "e".repeat(56) + "}",
                "outbox.table: invalid table name '" + "e".repeat(56) + "' (1-55 characters of a-z 0-9 _, not starting with a digit)");
        yamlFails("outbox: {url: \"postgresql://db/app\", poll_interval: 0s}", "outbox.poll_interval: must be 10ms..10m (was 0s)");
        yamlFails("outbox: {url: \"postgresql://db/app\", poll_interval: 1h}", "outbox.poll_interval: must be 10ms..10m (was 1h)");
        yamlFails("outbox: {url: \"postgresql://db/app\", batch_size: 0}", "outbox.batch_size: must be 1..10000 (was 0)");
        yamlFails("outbox: {url: \"postgresql://db/app\", tabel: x}", "unknown key 'outbox.tabel' (did you mean 'outbox.table'?)");
        yamlFails("outbox: {table: events}",
                "outbox.table: set without an outbox URL (set outbox.url or HERALD_OUTBOX_URL too, or neither)");
        envFails(Map.of("HERALD_OUTBOX_TABLE", "events"), "HERALD_OUTBOX_TABLE: set without an outbox URL");
        envFails(Map.of("HERALD_OUTBOX_URL", "postgresql://db/app", "HERALD_OUTBOX_POLL_INTERVAL", "soon"),
                "HERALD_OUTBOX_POLL_INTERVAL: invalid duration 'soon'");
        envFails(Map.of("HERALD_OUTBOX_URL", "http://db/app"), "HERALD_OUTBOX_URL: invalid PostgreSQL URL");
        envFails(Map.of("HERALD_OUTBOX_TABEL", "x"), "unknown environment variable HERALD_OUTBOX_TABEL (did you mean HERALD_OUTBOX_TABLE?)");
    }
}
