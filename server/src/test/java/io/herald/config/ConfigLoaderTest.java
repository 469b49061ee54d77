package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.ConfigLoader.Overrides;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConfigLoaderTest {
    static final String SECRET = "0123456789abcdef0123456789abcdef-hmac";
    static final String PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";
    static final String CERT_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    static final String KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

    @TempDir
    Path dir;

    Path yaml(String text) throws IOException {
        Path file = dir.resolve("herald.yaml");
        Files.writeString(file, text);
        return file;
    }

    static HeraldConfig load(Path file, Map<String, String> env) {
        return ConfigLoader.load(file, env, Overrides.NONE);
    }

    @Test
    void a_full_yaml_file_is_parsed_into_every_field() throws IOException {
        Files.writeString(dir.resolve("rsa.pem"), PEM);
        HeraldConfig cfg = load(yaml("""
                host: 127.0.0.1
                port: 9090
                api_key: "secret-key"
                allow_anonymous: true
                engine: memory
                allowed_origins: ["https://app.example.com", "http://localhost:3000"]
                jwt:
                  hmac_secret: "%s"
                  rsa_public_key: rsa.pem
                  ec_public_key: |
                    %s
                  jwks_url: "https://auth.example.com/jwks.json"
                  audience: herald
                  issuer: https://auth.example.com
                  allow_no_exp: true
                  refresh_grace: 15s
                  refresh_ahead: 1m
                  jwks_refresh: 1h
                client:
                  ping: 20s
                  pong_timeout: 5s
                  connect_timeout: 3s
                  max_frame_size: 1MiB
                namespaces:
                  match: {history_size: 50, history_ttl: 300s, presence: true, join_leave: true, public: false, client_publish: true}
                  chat:
                    public: true
                namespace_defaults: {history_size: 10, history_ttl: 2m, presence: false, join_leave: false, public: false, client_publish: false}
                """.formatted(SECRET, PEM.replace("\n", "\n    "))), Map.of());

        assertThat(cfg.host()).isEqualTo("127.0.0.1");
        assertThat(cfg.port()).isEqualTo(9090);
        assertThat(cfg.devMode()).isFalse();
        assertThat(cfg.apiKey()).isEqualTo("secret-key");
        assertThat(cfg.allowAnonymous()).isTrue();
        assertThat(cfg.engine()).isEqualTo("memory");
        assertThat(cfg.allowedOrigins()).containsExactly("https://app.example.com", "http://localhost:3000");
        assertThat(cfg.jwt()).isEqualTo(new JwtConfig(SECRET, PEM, PEM, "https://auth.example.com/jwks.json",
                "herald", "https://auth.example.com", true, Duration.ofSeconds(15), Duration.ofMinutes(1),
                Duration.ofHours(1)));
        assertThat(cfg.client()).isEqualTo(ClientConfig.DEFAULTS.withTimeouts(Duration.ofSeconds(20),
                Duration.ofSeconds(5), Duration.ofSeconds(3)).withFrameSize(1024 * 1024));
        assertThat(cfg.namespace("match")).isEqualTo(
                new NamespaceConfig(50, Duration.ofMinutes(5), true, true, false, true));
        assertThat(cfg.defaults()).isEqualTo(
                new NamespaceConfig(10, Duration.ofMinutes(2), false, false, false, false));
        assertThat(cfg.namespace("chat")).as("unset settings come from namespace_defaults")
                .isEqualTo(new NamespaceConfig(10, Duration.ofMinutes(2), false, false, true, false));
        assertThat(cfg.namespace("other")).isEqualTo(cfg.defaults());
    }

    @Test
    void without_any_settings_the_documented_defaults_apply() throws IOException {
        HeraldConfig cfg = load(yaml("api_key: k\nallow_anonymous: true\n"), Map.of());

        assertThat(cfg.host()).isEqualTo("0.0.0.0");
        assertThat(cfg.port()).isEqualTo(8080);
        assertThat(cfg.engine()).isEqualTo("memory");
        assertThat(cfg.client()).isEqualTo(ClientConfig.DEFAULTS);
        assertThat(cfg.defaults()).isEqualTo(NamespaceConfig.DEFAULTS);
        assertThat(cfg.namespaces()).isEmpty();
        assertThat(cfg.jwt().hasAnyKey()).isFalse();
        assertThat(cfg.jwt().refreshGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(cfg.jwt().refreshAhead()).isEqualTo(Duration.ofSeconds(30));
        assertThat(cfg.jwt().jwksRefresh()).isEqualTo(Duration.ofMinutes(5));
        assertThat(cfg.limits()).isEqualTo(LimitsConfig.DEFAULTS);
        assertThat(cfg.tls()).isNull();
        assertThat(cfg.drainWindow()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void empty_client_limits_tls_and_shutdown_sections_keep_the_defaults() throws IOException {
        HeraldConfig cfg = load(yaml("client: {}\nlimits: {}\ntls: {}\nshutdown:\n"), Map.of());

        assertThat(cfg.client()).isEqualTo(ClientConfig.DEFAULTS);
        assertThat(cfg.limits()).isEqualTo(LimitsConfig.DEFAULTS);
        assertThat(cfg.tls()).isNull();
        assertThat(cfg.drainWindow()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void every_client_limits_tls_and_shutdown_key_is_parsed_into_the_records() throws IOException {
        Files.writeString(dir.resolve("cert.pem"), CERT_PEM);
        Files.writeString(dir.resolve("key.pem"), KEY_PEM);
        HeraldConfig cfg = load(yaml("""
                client:
                  ping: 20s
                  max_queue_bytes: 4MiB
                  write_timeout: 2500ms
                  max_subscriptions: 50
                  command_rate: 20
                  command_burst: 5
                limits:
                  max_connections: 5000
                  connections_per_user: 3
                  connection_rate_per_ip: 7
                  api_rate: 250
                  max_channels: 20000
                tls:
                  cert: cert.pem
                  key: key.pem
                shutdown:
                  drain_window: 30s
                """), Map.of());

        assertThat(cfg.client()).isEqualTo(new ClientConfig(Duration.ofSeconds(20), Duration.ofSeconds(10),
                Duration.ofSeconds(10), 64 * 1024, 4L * 1024 * 1024, Duration.ofMillis(2500), 50, 20, 5));
        assertThat(cfg.limits()).isEqualTo(new LimitsConfig(5000, 3, 7, 250, 20_000));
        assertThat(cfg.tls()).isEqualTo(new TlsConfig(dir.resolve("cert.pem").toAbsolutePath().toString(),
                dir.resolve("key.pem").toAbsolutePath().toString()));
        assertThat(cfg.drainWindow()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void the_bounds_of_the_client_limits_and_shutdown_keys_are_accepted() throws IOException {
        HeraldConfig low = load(yaml("""
                client: {max_queue_bytes: 64KiB, max_subscriptions: 1, command_rate: 1, command_burst: 1}
                limits: {max_connections: 0, connections_per_user: 0, connection_rate_per_ip: 0, api_rate: 0, max_channels: 0}
                shutdown: {drain_window: 0s}
                """), Map.of());
        assertThat(low.client().maxQueueBytes()).isEqualTo(65536);
        assertThat(low.client().maxSubscriptions()).isEqualTo(1);
        assertThat(low.client().commandRate()).isEqualTo(1);
        assertThat(low.client().commandBurst()).isEqualTo(1);
        assertThat(low.limits()).as("0 means unlimited").isEqualTo(LimitsConfig.UNLIMITED);
        assertThat(low.drainWindow()).isEqualTo(Duration.ZERO);

        HeraldConfig high = load(yaml("""
                client: {max_queue_bytes: 1024MiB, max_subscriptions: 1000000, command_rate: 1000000, command_burst: 1000000}
                limits: {max_connections: 2147483647}
                """), Map.of());
        assertThat(high.client().maxQueueBytes()).isEqualTo(1024L * 1024 * 1024);
        assertThat(high.client().maxSubscriptions()).isEqualTo(1_000_000);
        assertThat(high.client().commandRate()).isEqualTo(1_000_000);
        assertThat(high.client().commandBurst()).isEqualTo(1_000_000);
        assertThat(high.limits().maxConnections()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void a_command_burst_below_the_command_rate_is_accepted() throws IOException {
        ClientConfig client = load(yaml("client: {command_rate: 100, command_burst: 10}\n"), Map.of()).client();

        assertThat(client.commandRate()).isEqualTo(100);
        assertThat(client.commandBurst()).isEqualTo(10);
    }

    @Test
    void relative_tls_paths_resolve_against_the_config_file_folder() throws IOException {
        Path etc = Files.createDirectories(dir.resolve("etc/herald"));
        Files.createDirectories(etc.resolve("tls"));
        Files.writeString(etc.resolve("tls/cert.pem"), CERT_PEM);
        Files.writeString(dir.resolve("etc/key.pem"), KEY_PEM);
        Path file = etc.resolve("herald.yaml");
        Files.writeString(file, "tls: {cert: tls/cert.pem, key: ../key.pem}\n");

        TlsConfig tls = load(file, Map.of()).tls();

        assertThat(tls.cert()).isEqualTo(etc.resolve("tls/cert.pem").toAbsolutePath().toString());
        assertThat(tls.key()).as("stored absolute and normalized")
                .isEqualTo(dir.resolve("etc/key.pem").toAbsolutePath().toString());
    }

    @Test
    void absolute_tls_paths_are_used_as_they_are() throws IOException {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        Files.writeString(certs.resolve("c.pem"), CERT_PEM);
        Files.writeString(certs.resolve("k.pem"), KEY_PEM);
        Path file = Files.createDirectories(dir.resolve("conf")).resolve("herald.yaml");
        Files.writeString(file, "tls:\n  cert: \"%s\"\n  key: \"%s\"\n".formatted(
                certs.resolve("c.pem").toAbsolutePath(), certs.resolve("k.pem").toAbsolutePath()));

        assertThat(load(file, Map.of()).tls()).isEqualTo(new TlsConfig(
                certs.resolve("c.pem").toAbsolutePath().toString(), certs.resolve("k.pem").toAbsolutePath().toString()));
    }

    @Test
    void HERALD_TLS_CERT_and_HERALD_TLS_KEY_give_the_tls_paths() throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), CERT_PEM).toAbsolutePath();
        Path key = Files.writeString(dir.resolve("key.pem"), KEY_PEM).toAbsolutePath();

        HeraldConfig cfg = load(null, Map.of("HERALD_TLS_CERT", cert.toString(), "HERALD_TLS_KEY", key.toString()));

        assertThat(cfg.tls()).isEqualTo(new TlsConfig(cert.toString(), key.toString()));
    }

    @Test
    void relative_HERALD_TLS_paths_resolve_against_the_working_directory() throws IOException {
        Files.writeString(dir.resolve("cert.pem"), CERT_PEM);
        Files.writeString(dir.resolve("key.pem"), KEY_PEM);
        Path workDir = Path.of("").toAbsolutePath();
        String relativeCert = workDir.relativize(dir.resolve("cert.pem").toAbsolutePath()).toString();
        String relativeKey = workDir.relativize(dir.resolve("key.pem").toAbsolutePath()).toString();

        HeraldConfig cfg = load(null, Map.of("HERALD_TLS_CERT", relativeCert, "HERALD_TLS_KEY", relativeKey));

        assertThat(cfg.tls()).isEqualTo(new TlsConfig(dir.resolve("cert.pem").toAbsolutePath().toString(),
                dir.resolve("key.pem").toAbsolutePath().toString()));
    }

    @Test
    void HERALD_TLS_variables_override_the_yaml_paths_one_by_one() throws IOException {
        Files.writeString(dir.resolve("cert.pem"), CERT_PEM);
        Files.writeString(dir.resolve("key.pem"), KEY_PEM);
        Path otherKey = Files.writeString(dir.resolve("other-key.pem"), KEY_PEM).toAbsolutePath();
        Path file = yaml("tls: {cert: cert.pem, key: key.pem}\n");

        TlsConfig tls = load(file, Map.of("HERALD_TLS_KEY", otherKey.toString())).tls();

        assertThat(tls).isEqualTo(new TlsConfig(dir.resolve("cert.pem").toAbsolutePath().toString(),
                otherKey.toString()));
    }

    @Test
    void a_tls_cert_from_yaml_and_a_key_from_the_environment_combine() throws IOException {
        Files.writeString(dir.resolve("cert.pem"), CERT_PEM);
        Path key = Files.writeString(dir.resolve("key.pem"), KEY_PEM).toAbsolutePath();

        TlsConfig tls = load(yaml("tls: {cert: cert.pem}\n"), Map.of("HERALD_TLS_KEY", key.toString())).tls();

        assertThat(tls).isEqualTo(new TlsConfig(dir.resolve("cert.pem").toAbsolutePath().toString(), key.toString()));
    }

    @Test
    void empty_HERALD_TLS_variables_count_as_not_set() {
        assertThat(load(null, Map.of("HERALD_TLS_CERT", "", "HERALD_TLS_KEY", "")).tls()).isNull();
    }

    @Test
    void an_empty_yaml_file_is_the_same_as_no_file() throws IOException {
        HeraldConfig cfg = load(yaml(""), Map.of());

        assertThat(cfg.devMode()).isTrue();
        assertThat(cfg.port()).isEqualTo(8080);
    }

    @Test
    void environment_variables_override_the_yaml_file() throws IOException {
        Path file = yaml("""
                host: 10.0.0.1
                port: 9000
                api_key: from-yaml
                allow_anonymous: true
                jwt: {hmac_secret: "%s", jwks_url: "https://a.example.com/jwks"}
                """.formatted(SECRET));
        String envSecret = "E".repeat(40);

        HeraldConfig cfg = load(file, Map.of("HERALD_HOST", "10.0.0.2", "HERALD_PORT", "9001",
                "HERALD_API_KEY", "from-env", "HERALD_ALLOW_ANONYMOUS", "false",
                "HERALD_JWT_HMAC_SECRET", envSecret, "HERALD_JWT_JWKS_URL", "https://b.example.com/jwks"));

        assertThat(cfg.host()).isEqualTo("10.0.0.2");
        assertThat(cfg.port()).isEqualTo(9001);
        assertThat(cfg.apiKey()).isEqualTo("from-env");
        assertThat(cfg.allowAnonymous()).isFalse();
        assertThat(cfg.jwt().hmacSecret()).isEqualTo(envSecret);
        assertThat(cfg.jwt().jwksUrl()).isEqualTo("https://b.example.com/jwks");
    }

    @Test
    void flags_override_environment_variables_and_yaml() throws IOException {
        Path file = yaml("host: 10.0.0.1\nport: 9000\n");

        HeraldConfig cfg = ConfigLoader.load(file, Map.of("HERALD_HOST", "10.0.0.2", "HERALD_PORT", "9001"),
                new Overrides(null, "10.0.0.3", 9002));

        assertThat(cfg.host()).isEqualTo("10.0.0.3");
        assertThat(cfg.port()).isEqualTo(9002);
    }

    @Test
    void the_config_flag_wins_over_HERALD_CONFIG() throws IOException {
        Path fromFlag = yaml("port: 1111\n");
        Path fromEnv = dir.resolve("env.yaml");
        Files.writeString(fromEnv, "port: 2222\n");
        Map<String, String> env = Map.of("HERALD_CONFIG", fromEnv.toString());

        assertThat(ConfigLoader.load(env, new Overrides(fromFlag, null, null)).port()).isEqualTo(1111);
        assertThat(ConfigLoader.load(env, Overrides.NONE).port()).isEqualTo(2222);
        assertThat(ConfigLoader.configPath(Map.of(), Overrides.NONE)).isNull();
    }

    @Test
    void each_environment_variable_is_read_under_its_exact_name() {
        Map<String, String> env = new HashMap<>();
        env.put("HERALD_ALLOW_ANONYMOUS", "true");
        env.put("HERALD_API_KEY", "k");
        assertThat(load(null, env).apiKey()).isEqualTo("k");
        assertThat(load(null, env).allowAnonymous()).isTrue();
        env.put("HERALD_PORT", "7000");
        assertThat(load(null, env).port()).isEqualTo(7000);
        env.put("HERALD_HOST", "::1");
        assertThat(load(null, env).host()).isEqualTo("::1");
        env.put("HERALD_JWT_HMAC_SECRET", SECRET);
        assertThat(load(null, env).jwt().hmacSecret()).isEqualTo(SECRET);
        env.put("HERALD_JWT_JWKS_URL", "https://auth.example.com/jwks");
        assertThat(load(null, env).jwt().jwksUrl()).isEqualTo("https://auth.example.com/jwks");
        env.put("HERALD_ENGINE", "memory");
        assertThat(load(null, env).engine()).isEqualTo("memory");
        env.put("HERALD_ALLOW_ANONYMOUS", "false");
        assertThat(load(null, env).allowAnonymous()).isFalse();
    }

    @Test
    void the_redis_engine_defaults_to_the_local_redis_and_takes_urls_from_yaml_or_the_environment() throws IOException {
        HeraldConfig plain = load(null, Map.of("HERALD_ENGINE", "redis"));
        assertThat(plain.engine()).isEqualTo("redis");
        assertThat(plain.redis()).isEqualTo(RedisConfig.DEFAULTS);
        assertThat(load(null, Map.of()).redis()).isNull();

        HeraldConfig env = load(null, Map.of("HERALD_ENGINE", "redis",
                "HERALD_REDIS_URL", "redis://a:6379, rediss://:pw@b:6380/2", "HERALD_REDIS_CLUSTER", "true",
                "HERALD_REDIS_PREFIX", "eu1"));
        assertThat(env.redis().urls()).containsExactly("redis://a:6379", "rediss://:pw@b:6380/2");
        assertThat(env.redis().cluster()).isTrue();
        assertThat(env.redis().prefix()).isEqualTo("eu1");

        Path file = Files.createTempFile("herald", ".yaml");
        Files.writeString(file, """
                engine: redis
                redis:
                  url: redis://r1:6379
                  prefix: app
                  presence_ttl: 30s
                  timeout: 2s
                """);
        HeraldConfig yaml = load(file, Map.of());
        assertThat(yaml.redis()).isEqualTo(new RedisConfig(List.of("redis://r1:6379"), false, "app",
                Duration.ofSeconds(30), Duration.ofSeconds(2)));
        assertThat(ConfigLoader.describe(load(null, Map.of("HERALD_ENGINE", "redis",
                "HERALD_REDIS_URL", "redis://:secret@r:6379")))).contains("redis://:<redacted>@r:6379").doesNotContain(":secret@");
        Files.delete(file);
    }

    @Test
    void unrelated_and_reserved_environment_variables_are_accepted() {
        HeraldConfig cfg = load(null, Map.of("PATH", "/bin", "HOME", "/root", "HERALD_JAVA_OPTS", "-Xmx1g",
                "HERALD_LOG_LEVEL", "debug"));

        assertThat(cfg.devMode()).isTrue();
    }

    @Test
    void an_empty_environment_variable_counts_as_not_set() {
        HeraldConfig cfg = load(null, Map.of("HERALD_API_KEY", "", "HERALD_PORT", ""));

        assertThat(cfg.devMode()).isTrue();
        assertThat(cfg.port()).isEqualTo(8080);
    }

    @Test
    void durations_are_read_in_every_form() throws IOException {
        HeraldConfig cfg = load(yaml("""
                client: {ping: 250ms, pong_timeout: 30, connect_timeout: "45"}
                jwt: {refresh_grace: 2m, refresh_ahead: 1h, jwks_refresh: 2d}
                """), Map.of());

        assertThat(cfg.client().ping()).isEqualTo(Duration.ofMillis(250));
        assertThat(cfg.client().pongTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(cfg.client().connectTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(cfg.jwt().refreshGrace()).isEqualTo(Duration.ofMinutes(2));
        assertThat(cfg.jwt().refreshAhead()).isEqualTo(Duration.ofHours(1));
        assertThat(cfg.jwt().jwksRefresh()).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void frame_sizes_are_read_in_every_form() throws IOException {
        assertThat(frameSize("65536")).isEqualTo(65536);
        assertThat(frameSize("64KiB")).isEqualTo(65536);
        assertThat(frameSize("64KB")).isEqualTo(64000);
        assertThat(frameSize("1MiB")).isEqualTo(1048576);
        assertThat(frameSize("2MB")).isEqualTo(2000000);
        assertThat(frameSize("\"4096\"")).isEqualTo(4096);
    }

    private int frameSize(String value) throws IOException {
        return load(yaml("client: {max_frame_size: " + value + "}\n"), Map.of()).client().maxFrameSize();
    }

    @Test
    void dev_mode_starts_when_no_api_key_or_jwt_key_is_configured() {
        HeraldConfig cfg = load(null, Map.of());

        assertThat(cfg.devMode()).isTrue();
        assertThat(cfg.allowAnonymous()).isTrue();
        assertThat(cfg.allowedOrigins()).isEmpty();
        assertThat(cfg.defaults().isPublic()).isTrue();
        assertThat(Base64.getUrlDecoder().decode(cfg.apiKey())).hasSize(24);
        assertThat(cfg.apiKey()).hasSize(32);
        assertThat(Base64.getUrlDecoder().decode(cfg.jwt().hmacSecret())).hasSize(32);
        assertThat(cfg.jwt().hmacSecret()).hasSize(43);
    }

    @Test
    void dev_mode_generates_different_keys_on_each_load() {
        HeraldConfig first = load(null, Map.of());
        HeraldConfig second = load(null, Map.of());

        assertThat(first.apiKey()).isNotEqualTo(second.apiKey());
        assertThat(first.jwt().hmacSecret()).isNotEqualTo(second.jwt().hmacSecret());
    }

    @Test
    void dev_mode_makes_every_configured_namespace_public_and_accepts_any_origin() throws IOException {
        HeraldConfig cfg = load(yaml("""
                allowed_origins: ["https://app.example.com"]
                namespaces:
                  match: {public: false, presence: true}
                  chat: {}
                """), Map.of());

        assertThat(cfg.devMode()).isTrue();
        assertThat(cfg.namespace("match").isPublic()).isTrue();
        assertThat(cfg.namespace("match").presence()).isTrue();
        assertThat(cfg.namespace("chat").isPublic()).isTrue();
        assertThat(cfg.namespace("unlisted").isPublic()).isTrue();
        assertThat(cfg.allowedOrigins()).isEmpty();
    }

    @Test
    void dev_mode_keeps_allow_anonymous_when_it_is_set_explicitly() throws IOException {
        assertThat(load(yaml("allow_anonymous: false\n"), Map.of()).allowAnonymous()).isFalse();
        assertThat(load(null, Map.of("HERALD_ALLOW_ANONYMOUS", "false")).allowAnonymous()).isFalse();
    }

    @Test
    void HERALD_API_KEY_alone_leaves_dev_mode_and_needs_allow_anonymous() {
        HeraldConfig cfg = load(null, Map.of("HERALD_API_KEY", "key", "HERALD_ALLOW_ANONYMOUS", "true"));

        assertThat(cfg.devMode()).isFalse();
        assertThat(cfg.apiKey()).isEqualTo("key");
        assertThat(cfg.jwt().hasAnyKey()).as("nothing is generated outside dev mode").isFalse();
        assertThat(cfg.defaults().isPublic()).isFalse();
    }

    @Test
    void HERALD_JWT_HMAC_SECRET_leaves_dev_mode() {
        assertThatThrownBy(() -> load(null, Map.of("HERALD_JWT_HMAC_SECRET", SECRET)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("api_key is required outside dev mode (set HERALD_API_KEY or api_key)");
    }

    @Test
    void an_api_key_and_a_jwt_key_give_a_non_anonymous_production_config() throws IOException {
        HeraldConfig cfg = load(yaml("api_key: k\nallowed_origins: ['*']\n"),
                Map.of("HERALD_JWT_JWKS_URL", "https://auth.example.com/jwks"));

        assertThat(cfg.devMode()).isFalse();
        assertThat(cfg.allowAnonymous()).isFalse();
        assertThat(cfg.allowedOrigins()).containsExactly("*");
        assertThat(cfg.jwt().hmacSecret()).isNull();
    }

    @Test
    void heraldAllowedOriginsReplacesTheYamlListTrimmedAndWithoutRepeats() throws IOException {
        HeraldConfig cfg = load(yaml("api_key: k\nallow_anonymous: true\nallowed_origins: ['https://old.example.com']\n"),
                Map.of("HERALD_ALLOWED_ORIGINS", " https://app.example.com, http://localhost:5173,https://app.example.com"));

        assertThat(cfg.allowedOrigins()).containsExactly("https://app.example.com", "http://localhost:5173");
        assertThat(load(null, Map.of("HERALD_API_KEY", "k", "HERALD_ALLOW_ANONYMOUS", "true", "HERALD_ALLOWED_ORIGINS", "*"))
                .allowedOrigins()).containsExactly("*");
    }

    @Test
    void heraldAllowedOriginsNamesItselfForAnEmptyOrInvalidOrigin() {
        assertThatThrownBy(() -> load(null, Map.of("HERALD_ALLOWED_ORIGINS", "https://a.example.com,,https://b.example.com")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_ALLOWED_ORIGINS: empty origin in");
        assertThatThrownBy(() -> load(null, Map.of("HERALD_ALLOWED_ORIGINS", "https://app.example.com/")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_ALLOWED_ORIGINS: invalid origin 'https://app.example.com/'");
    }

    @Test
    void heraldDevSecretIsRefusedOutsideDevModeAndMustBeLongEnough() {
        assertThatThrownBy(() -> load(null, Map.of("HERALD_API_KEY", "k", "HERALD_ALLOW_ANONYMOUS", "true",
                "HERALD_DEV_SECRET", "a-dev-secret-of-at-least-32-bytes-0123456789")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_DEV_SECRET: set, but this is not dev mode");
        assertThatThrownBy(() -> load(null, Map.of("HERALD_DEV_SECRET", "dev")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_DEV_SECRET: must be at least 32 bytes");
    }

    @Test
    void devModeDerivesItsKeysFromTheCallersSecretOnlyInDevMode() {
        String secret = "a-dev-secret-of-at-least-32-bytes-0123456789";
        int[] asked = {0};
        HeraldConfig dev = ConfigLoader.load(null, Map.of(), Overrides.NONE, () -> {
            asked[0]++;
            return secret;
        });
        assertThat(dev.jwt().hmacSecret()).isEqualTo(DevSecret.hmacSecret(secret));
        assertThat(dev.apiKey()).isEqualTo(DevSecret.apiKey(secret));
        assertThat(asked[0]).isEqualTo(1);
        HeraldConfig production = ConfigLoader.load(null, Map.of("HERALD_API_KEY", "k", "HERALD_JWT_HMAC_SECRET", SECRET),
                Overrides.NONE, () -> {
                    asked[0]++;
                    return secret;
                });
        assertThat(production.jwt().hmacSecret()).isEqualTo(SECRET);
        assertThat(asked[0]).as("no dev-mode secret asked for (no file created) outside dev mode").isEqualTo(1);
    }
}
