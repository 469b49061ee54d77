package io.herald.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.ConfigLoader.Overrides;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConfigValidationTest {
    @TempDir
    Path dir;

    private AbstractThrowableAssert<?, ? extends Throwable> yamlFails(String text) throws IOException {
        Path file = dir.resolve("herald.yaml");
        Files.writeString(file, text);
        return assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Overrides.NONE))
                .isInstanceOf(ConfigException.class);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> envFails(Map<String, String> env) {
        return assertThatThrownBy(() -> ConfigLoader.load(null, env, Overrides.NONE))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void HERALD_ALLOW_ANONYMOUS_other_than_true_or_false_fails_naming_the_variable() {
        envFails(Map.of("HERALD_ALLOW_ANONYMOUS", "maybe"))
                .hasMessage("HERALD_ALLOW_ANONYMOUS: must be true or false (was 'maybe')");
    }

    @Test
    void an_unknown_HERALD_variable_fails_naming_it() {
        envFails(Map.of("HERALD_FOO", "1")).hasMessageStartingWith("unknown environment variable HERALD_FOO");
        envFails(Map.of("HERALD_API_KYE", "1")).hasMessageContaining("did you mean HERALD_API_KEY?");
    }

    @Test
    void a_HERALD_PORT_that_is_not_a_port_fails_naming_it() {
        envFails(Map.of("HERALD_PORT", "http")).hasMessageStartingWith("HERALD_PORT: 'http' is not a port number");
        envFails(Map.of("HERALD_PORT", "70000")).hasMessageStartingWith("HERALD_PORT: must be 0..65535");
    }

    @Test
    void HERALD_ENGINE_accepts_only_memory() {
        envFails(Map.of("HERALD_ENGINE", "redis")).hasMessage(
                "HERALD_ENGINE: engine 'redis' is not available yet (only 'memory' is)");
        envFails(Map.of("HERALD_ENGINE", "kafka")).hasMessageStartingWith("HERALD_ENGINE: unknown engine 'kafka'");
    }

    @Test
    void a_short_HERALD_JWT_HMAC_SECRET_fails_naming_the_variable() {
        envFails(Map.of("HERALD_API_KEY", "k", "HERALD_JWT_HMAC_SECRET", "too-short"))
                .hasMessageStartingWith("HERALD_JWT_HMAC_SECRET: must be at least 32 bytes");
    }

    @Test
    void an_out_of_range_port_flag_fails_naming_the_flag() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), new Overrides(null, null, -1)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("--port: must be 0..65535");
    }

    @Test
    void an_unknown_top_level_key_fails_naming_it() throws IOException {
        yamlFails("prot: 80\n").hasMessage("unknown key 'prot' (did you mean 'port'?)");
        yamlFails("colour: blue\n").hasMessage("unknown key 'colour'");
    }

    @Test
    void an_unknown_nested_key_fails_naming_its_path() throws IOException {
        yamlFails("jwt:\n  hmac_secrt: x\n").hasMessage("unknown key 'jwt.hmac_secrt' (did you mean 'jwt.hmac_secret'?)");
        yamlFails("client: {pingg: 1s}\n").hasMessageStartingWith("unknown key 'client.pingg'");
        yamlFails("namespaces: {match: {histroy_size: 1}}\n")
                .hasMessageStartingWith("unknown key 'namespaces.match.histroy_size'");
        yamlFails("namespace_defaults: {colour: red}\n").hasMessage("unknown key 'namespace_defaults.colour'");
    }

    @Test
    void a_value_of_the_wrong_type_fails_naming_its_path() throws IOException {
        yamlFails("port: \"8080\"\n").hasMessage("port: must be an integer");
        yamlFails("allow_anonymous: maybe\n").hasMessage("allow_anonymous: must be true or false");
        yamlFails("api_key: 12345\n").hasMessage("api_key: must be a string (quote it)");
        yamlFails("jwt: on-please\n").hasMessage("jwt: must be a mapping");
        yamlFails("allowed_origins: https://a.example.com\n").hasMessage("allowed_origins: must be a list of strings");
        yamlFails("namespaces: {match: {presence: 1}}\n").hasMessage("namespaces.match.presence: must be true or false");
        yamlFails("namespaces: {match: [1]}\n").hasMessage("namespaces.match: must be a mapping of namespace settings");
    }

    @Test
    void a_bad_duration_fails_naming_its_path_and_showing_examples() throws IOException {
        yamlFails("client: {ping: abc}\n").hasMessage("client.ping: invalid duration 'abc' (use e.g. 25s, 5m, 1h)");
        yamlFails("client: {ping: -5s}\n").hasMessageStartingWith("client.ping: invalid duration '-5s'");
        yamlFails("client: {ping: 1.5s}\n").hasMessageStartingWith("client.ping: invalid duration");
        yamlFails("client: {ping: 0s}\n").hasMessage("client.ping: must be greater than 0");
    }

    @Test
    void a_bad_size_fails_naming_its_path() throws IOException {
        yamlFails("client: {max_frame_size: 64 gigs}\n").hasMessageStartingWith("client.max_frame_size: invalid size");
        yamlFails("client: {max_frame_size: 100}\n").hasMessageStartingWith("client.max_frame_size: must be 1KiB..64MiB");
        yamlFails("client: {max_frame_size: 1000MiB}\n").hasMessageStartingWith("client.max_frame_size: must be");
    }

    @Test
    void a_port_out_of_range_fails() throws IOException {
        yamlFails("port: 65536\n").hasMessage("port: must be 0..65535 (was 65536)");
    }

    @Test
    void history_size_out_of_range_fails_naming_the_namespace() throws IOException {
        yamlFails("namespaces: {match: {history_size: -1}}\n")
                .hasMessage("namespaces.match.history_size: must be 0..100000 (was -1)");
        yamlFails("namespace_defaults: {history_size: 100001}\n")
                .hasMessageStartingWith("namespace_defaults.history_size: must be 0..100000");
    }

    @Test
    void history_needs_a_ttl_of_at_least_a_second() throws IOException {
        yamlFails("namespaces: {match: {history_size: 5, history_ttl: 500ms}}\n")
                .hasMessage("namespaces.match.history_ttl: must be at least 1s when history_size > 0");
    }

    @Test
    void join_leave_without_presence_fails() throws IOException {
        yamlFails("namespaces: {match: {join_leave: true}}\n")
                .hasMessage("namespaces.match.join_leave: requires presence: true");
        yamlFails("namespace_defaults: {join_leave: true, presence: false}\n")
                .hasMessage("namespace_defaults.join_leave: requires presence: true");
    }

    @Test
    void a_bad_namespace_name_fails() throws IOException {
        yamlFails("namespaces: {\"bad name\": {}}\n").hasMessageStartingWith(
                "namespaces.bad name: invalid namespace name 'bad name'");
        yamlFails("namespaces: {" + "n".repeat(65) + ": {}}\n").hasMessageContaining("invalid namespace name");
    }

    @Test
    void a_short_hmac_secret_fails() throws IOException {
        yamlFails("api_key: k\njwt: {hmac_secret: \"only-31-bytes-long-secret-12345\"}\n")
                .hasMessage("jwt.hmac_secret: must be at least 32 bytes (HS256 needs a 256-bit key), was 31");
    }

    @Test
    void an_origin_with_a_path_or_without_a_scheme_fails() throws IOException {
        yamlFails("allowed_origins: [\"https://app.example.com/\"]\n")
                .hasMessageStartingWith("allowed_origins[0]: invalid origin 'https://app.example.com/'");
        yamlFails("allowed_origins: [\"*\", \"app.example.com\"]\n")
                .hasMessageStartingWith("allowed_origins[1]: invalid origin");
    }

    @Test
    void the_redis_engine_is_not_available_yet() throws IOException {
        yamlFails("engine: redis\n").hasMessage("engine: engine 'redis' is not available yet (only 'memory' is)");
    }

    @Test
    void a_jwks_url_that_is_not_http_fails() throws IOException {
        yamlFails("jwt: {jwks_url: \"ftp://x\"}\n").hasMessageStartingWith("jwt.jwks_url: invalid URL 'ftp://x'");
    }

    @Test
    void a_missing_public_key_file_fails_naming_the_path() throws IOException {
        yamlFails("jwt: {rsa_public_key: keys/rsa.pem}\n")
                .hasMessageStartingWith("jwt.rsa_public_key: key file not found: ")
                .hasMessageContaining(dir.resolve("keys/rsa.pem").toString());
    }

    @Test
    void a_missing_config_file_fails_naming_its_path() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("HERALD_CONFIG", missing.toString()), Overrides.NONE))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config file not found: " + missing.toAbsolutePath());
    }

    @Test
    void invalid_yaml_fails_naming_the_file() throws IOException {
        yamlFails("port: [1, 2\n").hasMessageContaining("herald.yaml: invalid YAML");
        yamlFails("port: 1\nport: 2\n").hasMessageContaining("Duplicate field 'port'");
        yamlFails("- a\n- b\n").hasMessageContaining("the top level must be a mapping");
    }

    @Test
    void outside_dev_mode_an_api_key_is_required() throws IOException {
        yamlFails("jwt: {jwks_url: \"https://auth.example.com/jwks\"}\n")
                .hasMessage("api_key is required outside dev mode (set HERALD_API_KEY or api_key)");
    }

    @Test
    void an_api_key_without_a_jwt_key_fails_unless_anonymous_is_allowed() {
        envFails(Map.of("HERALD_API_KEY", "k")).hasMessageStartingWith("jwt: a key source is required");
    }
}
