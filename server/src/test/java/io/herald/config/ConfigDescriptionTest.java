package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.herald.config.ConfigLoader.Overrides;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConfigDescriptionTest {
    private static final String API_KEY = "super-secret-api-key";
    private static final String HMAC = "super-secret-hmac-value-of-40-bytes-long";

    @TempDir
    Path dir;

    @Test
    void describe_never_contains_the_secrets() throws IOException {
        Path file = dir.resolve("herald.yaml");
        Files.writeString(file, "api_key: " + API_KEY + "\njwt: {hmac_secret: " + HMAC + "}\n"
                + "namespaces: {match: {presence: true, join_leave: true}}\n");
        HeraldConfig cfg = ConfigLoader.load(file, Map.of(), Overrides.NONE);

        String text = ConfigLoader.describe(cfg);

        assertThat(text).doesNotContain(API_KEY).doesNotContain(HMAC)
                .contains("<redacted, " + API_KEY.length() + " chars>")
                .contains("<redacted, " + HMAC.length() + " chars>");
    }

    @Test
    void describe_hides_the_whole_redis_password_even_with_colons_in_it() throws IOException {
        Path file = dir.resolve("herald.yaml");
        Files.writeString(file, "api_key: " + API_KEY + "\njwt: {hmac_secret: " + HMAC + "}\nengine: redis\n"
                + "redis: {url: \"redis://herald:pa:ss:word@127.0.0.1:6379\"}\n");
        HeraldConfig cfg = ConfigLoader.load(file, Map.of(), Overrides.NONE);

        String text = ConfigLoader.describe(cfg);

        assertThat(text).contains("redis://herald:<redacted>@127.0.0.1:6379").doesNotContain("pa:ss").doesNotContain("word@");
    }

    @Test
    void describe_hides_the_keys_generated_in_dev_mode() {
        HeraldConfig cfg = ConfigLoader.load(null, Map.of(), Overrides.NONE);

        String text = ConfigLoader.describe(cfg);

        assertThat(text).doesNotContain(cfg.apiKey()).doesNotContain(cfg.jwt().hmacSecret());
    }

    @Test
    void describe_renders_every_setting_as_yaml_including_dev_mode() throws IOException {
        HeraldConfig cfg = ConfigLoader.load(null, Map.of(), new Overrides(null, "127.0.0.1", 9000));

        JsonNode tree = new YAMLMapper().readTree(ConfigLoader.describe(cfg));

        assertThat(tree.get("dev_mode").asBoolean()).isTrue();
        assertThat(tree.get("host").asText()).isEqualTo("127.0.0.1");
        assertThat(tree.get("port").asInt()).isEqualTo(9000);
        assertThat(tree.get("engine").asText()).isEqualTo("memory");
        assertThat(tree.get("client").get("ping").asText()).isEqualTo("25s");
        assertThat(tree.get("client").get("max_frame_size").asText()).isEqualTo("64KiB");
        assertThat(tree.get("namespace_defaults").get("public").asBoolean()).isTrue();
        assertThat(tree.get("jwt").get("refresh_ahead").asText()).isEqualTo("30s");
    }

    @Test
    void describe_renders_the_client_limits_and_shutdown_defaults_and_no_tls() throws IOException {
        HeraldConfig cfg = ConfigLoader.load(null, Map.of(), Overrides.NONE);

        JsonNode tree = new YAMLMapper().readTree(ConfigLoader.describe(cfg));

        JsonNode client = tree.get("client");
        assertThat(client.get("max_queue_bytes").asText()).isEqualTo("1MiB");
        assertThat(client.get("write_timeout").asText()).isEqualTo("10s");
        assertThat(client.get("max_subscriptions").asInt()).isEqualTo(1000);
        assertThat(client.get("command_rate").asInt()).isEqualTo(100);
        assertThat(client.get("command_burst").asInt()).isEqualTo(200);
        JsonNode limits = tree.get("limits");
        assertThat(limits.get("max_connections").asInt()).isEqualTo(100_000);
        assertThat(limits.get("connections_per_user").asInt()).isEqualTo(100);
        assertThat(limits.get("connection_rate_per_ip").asInt()).isEqualTo(100);
        assertThat(limits.get("api_rate").asInt()).isEqualTo(10_000);
        assertThat(limits.get("max_channels").asInt()).isEqualTo(1_000_000);
        assertThat(tree.get("tls").isNull()).isTrue();
        assertThat(tree.get("shutdown").get("drain_window").asText()).isEqualTo("5s");
    }

    @Test
    void describe_shows_the_configured_values_and_the_tls_paths_but_not_the_key() throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n");
        Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nSECRETKEYDATA\n");
        Path file = dir.resolve("herald.yaml");
        Files.writeString(file, """
                client: {max_queue_bytes: 256KiB, write_timeout: 1500ms, max_subscriptions: 10, command_rate: 5, command_burst: 8}
                limits: {max_connections: 0, connections_per_user: 2, connection_rate_per_ip: 3, api_rate: 4}
                tls: {cert: cert.pem, key: key.pem}
                shutdown: {drain_window: 1m}
                """);
        HeraldConfig cfg = ConfigLoader.load(file, Map.of(), Overrides.NONE);

        String text = ConfigLoader.describe(cfg);
        JsonNode tree = new YAMLMapper().readTree(text);

        assertThat(text).doesNotContain("SECRETKEYDATA");
        JsonNode client = tree.get("client");
        assertThat(client.get("max_queue_bytes").asText()).isEqualTo("256KiB");
        assertThat(client.get("write_timeout").asText()).isEqualTo("1500ms");
        assertThat(client.get("max_subscriptions").asInt()).isEqualTo(10);
        assertThat(client.get("command_rate").asInt()).isEqualTo(5);
        assertThat(client.get("command_burst").asInt()).isEqualTo(8);
        assertThat(tree.get("limits").get("max_connections").asInt()).isZero();
        assertThat(tree.get("limits").get("api_rate").asInt()).isEqualTo(4);
        assertThat(tree.get("tls").get("cert").asText()).isEqualTo(cert.toAbsolutePath().toString());
        assertThat(tree.get("tls").get("key").asText()).isEqualTo(key.toAbsolutePath().toString());
        assertThat(tree.get("shutdown").get("drain_window").asText()).isEqualTo("1m");
    }

    @Test
    void describe_output_loads_back_to_the_same_client_limits_and_drain_window() throws IOException {
        Path file = dir.resolve("herald.yaml");
        Files.writeString(file, """
                client: {max_queue_bytes: 1024MiB, write_timeout: 250ms, command_burst: 1}
                limits: {api_rate: 0}
                shutdown: {drain_window: 0s}
                """);
        HeraldConfig cfg = ConfigLoader.load(file, Map.of(), Overrides.NONE);
        JsonNode tree = new YAMLMapper().readTree(ConfigLoader.describe(cfg));
        Path again = dir.resolve("again.yaml");
        Files.writeString(again, new YAMLMapper().writeValueAsString(Map.of(
                "client", tree.get("client"), "limits", tree.get("limits"), "shutdown", tree.get("shutdown"))));

        HeraldConfig reloaded = ConfigLoader.load(again, Map.of(), Overrides.NONE);

        assertThat(reloaded.client()).isEqualTo(cfg.client());
        assertThat(reloaded.limits()).isEqualTo(cfg.limits());
        assertThat(reloaded.drainWindow()).isEqualTo(cfg.drainWindow());
    }
}
