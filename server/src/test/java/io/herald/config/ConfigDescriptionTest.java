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
}
