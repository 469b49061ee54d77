package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.auth.Claims;
import io.herald.auth.JwtAuthenticator;
import io.herald.config.JwtConfig;
import io.herald.protocol.ChannelPattern;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    private static final String SECRET = "cli-test-secret-that-is-long-enough-32";

    /** Runs the CLI and returns exit code, stdout and stderr. */
    private record Run(int code, String out, String err) {
    }

    private static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void tokenCommandPrintsATokenTheServerAccepts() throws Exception {
        Run r = run("token", "--secret", SECRET, "--user", "42", "--channels", "match:*,news",
                "--publish", "chat:*", "--subscribe", "feed:1", "--info", "{\"name\":\"Ada\"}", "--ttl", "15m");
        assertThat(r.code()).isZero();
        Claims claims = new JwtAuthenticator(JwtConfig.hmac(SECRET)).authenticate(r.out().trim()).get();
        assertThat(claims.user()).isEqualTo("42");
        assertThat(claims.channels()).extracting(ChannelPattern::source).containsExactly("match:*", "news");
        assertThat(claims.publish()).extracting(ChannelPattern::source).containsExactly("chat:*");
        assertThat(claims.subscribe()).containsExactly("feed:1");
        assertThat(claims.info().get("name").asText()).isEqualTo("Ada");
        long now = System.currentTimeMillis() / 1000;
        assertThat(claims.expiresAt()).isBetween(now + 14 * 60, now + 15 * 60 + 5);
    }

    @Test
    void tokenCommandTakesTheSecretFromAConfigFile(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("herald.yaml");
        Files.writeString(cfg, "api_key: k\njwt:\n  hmac_secret: " + SECRET + "\n");
        Run r = run("token", "--config", cfg.toString(), "--user", "7");
        assertThat(r.code()).isZero();
        assertThat(new JwtAuthenticator(JwtConfig.hmac(SECRET)).authenticate(r.out().trim()).get().user()).isEqualTo("7");
    }

    @Test
    void tokenCommandRejectsInfoThatIsNotAnObject() {
        Run r = run("token", "--secret", SECRET, "--user", "42", "--info", "[1]");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--info must be a JSON object");
    }

    @Test
    void tokenCommandRequiresAUser() {
        Run r = run("token", "--secret", SECRET);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--user");
    }

    @Test
    void checkConfigPrintsTheEffectiveConfigWithSecretsRedacted(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("herald.yaml");
        Files.writeString(cfg, """
                api_key: super-secret-api-key
                jwt:
                  hmac_secret: %s
                namespaces:
                  match: {history_size: 50, presence: true, join_leave: true}
                """.formatted(SECRET));
        Run r = run("check-config", cfg.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("match").contains("history_size: 50").doesNotContain("super-secret-api-key")
                .doesNotContain(SECRET);
        assertThat(r.err()).contains("is valid");
    }

    @Test
    void checkConfigNamesTheUnknownKeyAndFails(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("herald.yaml");
        Files.writeString(cfg, "api_key: k\nallow_anonymous: true\nnamespaces:\n  match: {histroy_size: 5}\n");
        Run r = run("check-config", cfg.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("namespaces.match.histroy_size");
    }

    @Test
    void outboxDdlPrintsIdempotentDdlForTheTableOfTheFlagOrOfTheConfig(@TempDir Path dir) throws Exception {
        Run flag = run("outbox-ddl", "--table", "shop_events");
        assertThat(flag.code()).isZero();
        assertThat(flag.out()).contains("CREATE TABLE IF NOT EXISTS shop_events (", "CREATE TABLE IF NOT EXISTS shop_events_dead (",
                "pg_notify('shop_events', '')", "AFTER INSERT ON shop_events");
        Path config = dir.resolve("herald.yaml");
        Files.writeString(config, "outbox: {url: \"postgresql://db/app\", table: app_outbox}\n");
        assertThat(run("outbox-ddl", "--config", config.toString()).out()).contains("CREATE TABLE IF NOT EXISTS app_outbox (");
        assertThat(run("outbox-ddl").out()).contains("CREATE TABLE IF NOT EXISTS herald_outbox (");
        Run bad = run("outbox-ddl", "--table", "drop table x");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--table: invalid table name 'drop table x'");
    }
}
