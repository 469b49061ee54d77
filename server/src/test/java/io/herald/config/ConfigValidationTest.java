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
    private static final String CERT_PEM = ConfigLoaderTest.CERT_PEM;
    private static final String KEY_PEM = ConfigLoaderTest.KEY_PEM;

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
    void HERALD_ENGINE_accepts_only_memory_and_redis() {
        envFails(Map.of("HERALD_ENGINE", "kafka")).hasMessage("HERALD_ENGINE: unknown engine 'kafka' (use memory or redis)");
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
    void an_unknown_key_in_the_new_sections_fails_naming_its_path() throws IOException {
        yamlFails("limit: {api_rate: 1}\n").hasMessage("unknown key 'limit' (did you mean 'limits'?)");
        yamlFails("client: {max_queue_byte: 1MiB}\n")
                .hasMessage("unknown key 'client.max_queue_byte' (did you mean 'client.max_queue_bytes'?)");
        yamlFails("limits: {max_conections: 1}\n")
                .hasMessage("unknown key 'limits.max_conections' (did you mean 'limits.max_connections'?)");
        yamlFails("tls: {certificate: c.pem}\n").hasMessage("unknown key 'tls.certificate'");
        yamlFails("shutdown: {drain_windw: 1s}\n")
                .hasMessage("unknown key 'shutdown.drain_windw' (did you mean 'shutdown.drain_window'?)");
    }

    @Test
    void a_value_of_the_wrong_type_in_the_new_sections_fails_naming_its_path() throws IOException {
        yamlFails("limits: 100\n").hasMessage("limits: must be a mapping");
        yamlFails("tls: cert.pem\n").hasMessage("tls: must be a mapping");
        yamlFails("shutdown: [drain_window]\n").hasMessage("shutdown: must be a mapping");
        yamlFails("limits: {api_rate: \"100\"}\n").hasMessage("limits.api_rate: must be an integer");
        yamlFails("limits: {max_connections: 1.5}\n").hasMessage("limits.max_connections: must be an integer");
        yamlFails("client: {max_subscriptions: many}\n").hasMessage("client.max_subscriptions: must be an integer");
        yamlFails("client: {command_rate: true}\n").hasMessage("client.command_rate: must be an integer");
        yamlFails("client: {max_queue_bytes: [1]}\n").hasMessageStartingWith("client.max_queue_bytes: invalid size");
        yamlFails("client: {write_timeout: soon}\n")
                .hasMessage("client.write_timeout: invalid duration 'soon' (use e.g. 25s, 5m, 1h)");
        yamlFails("shutdown: {drain_window: -1s}\n").hasMessageStartingWith("shutdown.drain_window: invalid duration");
        yamlFails("tls: {cert: 42, key: k.pem}\n").hasMessage("tls.cert: must be a string (quote it)");
    }

    @Test
    void max_queue_bytes_outside_64KiB_to_1GiB_fails() throws IOException {
        yamlFails("client: {max_queue_bytes: 65535}\n")
                .hasMessage("client.max_queue_bytes: must be 64KiB..1024MiB (was 65535 bytes)");
        yamlFails("client: {max_queue_bytes: 1025MiB}\n")
                .hasMessage("client.max_queue_bytes: must be 64KiB..1024MiB (was 1074790400 bytes)");
    }

    @Test
    void a_zero_write_timeout_fails() throws IOException {
        yamlFails("client: {write_timeout: 0s}\n").hasMessage("client.write_timeout: must be greater than 0");
    }

    @Test
    void subscription_and_command_limits_outside_1_to_a_million_fail() throws IOException {
        yamlFails("client: {max_subscriptions: 0}\n")
                .hasMessage("client.max_subscriptions: must be 1..1000000 (was 0)");
        yamlFails("client: {max_subscriptions: 1000001}\n")
                .hasMessage("client.max_subscriptions: must be 1..1000000 (was 1000001)");
        yamlFails("client: {command_rate: 0}\n").hasMessage("client.command_rate: must be 1..1000000 (was 0)");
        yamlFails("client: {command_rate: 1000001}\n")
                .hasMessage("client.command_rate: must be 1..1000000 (was 1000001)");
        yamlFails("client: {command_burst: -5}\n").hasMessage("client.command_burst: must be 1..1000000 (was -5)");
        yamlFails("client: {command_burst: 1000001}\n")
                .hasMessage("client.command_burst: must be 1..1000000 (was 1000001)");
    }

    @Test
    void a_negative_or_too_large_node_limit_fails() throws IOException {
        yamlFails("limits: {max_connections: -1}\n")
                .hasMessage("limits.max_connections: must be 0..2147483647, 0 = unlimited (was -1)");
        yamlFails("limits: {connections_per_user: -1}\n")
                .hasMessage("limits.connections_per_user: must be 0..2147483647, 0 = unlimited (was -1)");
        yamlFails("limits: {connection_rate_per_ip: -1}\n")
                .hasMessage("limits.connection_rate_per_ip: must be 0..2147483647, 0 = unlimited (was -1)");
        yamlFails("limits: {api_rate: -1}\n")
                .hasMessage("limits.api_rate: must be 0..2147483647, 0 = unlimited (was -1)");
        yamlFails("limits: {max_channels: -1}\n")
                .hasMessage("limits.max_channels: must be 0..2147483647, 0 = unlimited (was -1)");
        yamlFails("limits: {api_rate: 2147483648}\n")
                .hasMessage("limits.api_rate: must be 0..2147483647, 0 = unlimited (was 2147483648)");
    }

    @Test
    void a_tls_cert_without_a_key_fails() throws IOException {
        Files.writeString(dir.resolve("cert.pem"), CERT_PEM);
        yamlFails("tls: {cert: cert.pem}\n")
                .hasMessage("tls.cert: set without a TLS key (set tls.key or HERALD_TLS_KEY too, or neither)");
    }

    @Test
    void a_tls_key_without_a_cert_fails() throws IOException {
        Files.writeString(dir.resolve("key.pem"), KEY_PEM);
        yamlFails("tls: {key: key.pem, cert: ~}\n").hasMessage(
                "tls.key: set without a TLS certificate (set tls.cert or HERALD_TLS_CERT too, or neither)");
    }

    @Test
    void only_one_HERALD_TLS_variable_fails_naming_it() throws IOException {
        String cert = Files.writeString(dir.resolve("cert.pem"), CERT_PEM).toAbsolutePath().toString();
        String key = Files.writeString(dir.resolve("key.pem"), KEY_PEM).toAbsolutePath().toString();
        envFails(Map.of("HERALD_TLS_CERT", cert))
                .hasMessage("HERALD_TLS_CERT: set without a TLS key (set tls.key or HERALD_TLS_KEY too, or neither)");
        envFails(Map.of("HERALD_TLS_KEY", key)).hasMessage(
                "HERALD_TLS_KEY: set without a TLS certificate (set tls.cert or HERALD_TLS_CERT too, or neither)");
    }

    @Test
    void a_missing_tls_file_fails_naming_the_path() throws IOException {
        Files.writeString(dir.resolve("key.pem"), KEY_PEM);
        yamlFails("tls: {cert: certs/cert.pem, key: key.pem}\n")
                .hasMessage("tls.cert: file not found: " + dir.resolve("certs/cert.pem").toAbsolutePath());
        Files.writeString(dir.resolve("cert.pem"), CERT_PEM);
        yamlFails("tls: {cert: cert.pem, key: nope.pem}\n")
                .hasMessage("tls.key: file not found: " + dir.resolve("nope.pem").toAbsolutePath());
        Path missing = dir.resolve("missing.pem").toAbsolutePath();
        envFails(Map.of("HERALD_TLS_CERT", missing.toString(), "HERALD_TLS_KEY", missing.toString()))
                .hasMessage("HERALD_TLS_CERT: file not found: " + missing);
    }

    @Test
    void a_tls_file_that_is_not_pem_fails_naming_the_path() throws IOException {
        Files.write(dir.resolve("cert.der"), new byte[] {0x30, (byte) 0x82, 0x01, (byte) 0xff});
        Files.writeString(dir.resolve("key.pem"), KEY_PEM);
        yamlFails("tls: {cert: cert.der, key: key.pem}\n").hasMessage("tls.cert: "
                + dir.resolve("cert.der").toAbsolutePath() + " is not a PEM file (no -----BEGIN line)");
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("cert.pem"), CERT_PEM);
        yamlFails("tls: {cert: cert.pem, key: keys}\n")
                .hasMessage("tls.key: " + dir.resolve("keys").toAbsolutePath() + " is a directory, not a PEM file");
        yamlFails("tls: {cert: \" \", key: key.pem}\n").hasMessage("tls.cert: must not be empty");
    }

    @Test
    void a_misspelt_HERALD_TLS_variable_fails_with_a_suggestion() {
        envFails(Map.of("HERALD_TLS_CRT", "c.pem")).hasMessageStartingWith(
                "unknown environment variable HERALD_TLS_CRT (did you mean HERALD_TLS_CERT?)")
                .hasMessageContaining("HERALD_TLS_KEY");
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
    void redis_settings_fail_naming_their_key() throws IOException {
        yamlFails("engine: redis\nredis: {url: \"http://x:6379\"}\n").hasMessageStartingWith(
                "redis.url: invalid Redis URL 'http://x:6379' (use redis://host:6379");
        yamlFails("engine: redis\nredis: {url: [\"redis://a:6379\", \"redis//b\"]}\n")
                .hasMessageStartingWith("redis.url[1]: invalid Redis URL 'redis//b'");
        yamlFails("engine: redis\nredis: {url: []}\n").hasMessage("redis.url: must name at least one Redis URL");
        yamlFails("engine: redis\nredis: {prefix: \"a{b}\"}\n").hasMessageStartingWith("redis.prefix: invalid prefix 'a{b}'");
        yamlFails("engine: redis\nredis: {presence_ttl: 500ms}\n").hasMessage("redis.presence_ttl: must be at least 1s");
        yamlFails("engine: redis\nredis: {urls: x}\n").hasMessageStartingWith("unknown key 'redis.urls' (did you mean 'redis.url'?)");
    }

    @Test
    void redis_settings_with_the_memory_engine_fail_instead_of_being_ignored() throws IOException {
        yamlFails("redis: {url: \"redis://r:6379\"}\n").hasMessage(
                "redis: set, but the engine is memory (set engine: redis or HERALD_ENGINE=redis to use Redis)");
        envFails(Map.of("HERALD_REDIS_URL", "redis://r:6379")).hasMessage(
                "HERALD_REDIS_URL: set, but the engine is memory (set engine: redis or HERALD_ENGINE=redis to use Redis)");
    }

    @Test
    void HERALD_REDIS_URL_with_an_empty_or_bad_element_fails() {
        envFails(Map.of("HERALD_ENGINE", "redis", "HERALD_REDIS_URL", "redis://a:6379,,redis://b:6379"))
                .hasMessageStartingWith("HERALD_REDIS_URL: empty URL");
        envFails(Map.of("HERALD_ENGINE", "redis", "HERALD_REDIS_URL", "localhost:6379"))
                .hasMessageStartingWith("HERALD_REDIS_URL: invalid Redis URL 'localhost:6379'");
        envFails(Map.of("HERALD_ENGINE", "redis", "HERALD_REDIS_CLUSTER", "yes"))
                .hasMessage("HERALD_REDIS_CLUSTER: must be true or false (was 'yes')");
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
