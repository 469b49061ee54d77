package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.ConfigLoader.Overrides;
import io.herald.protocol.WebhookEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class WebhookConfigTest {
    private static final String SECRET = "at-least-32-bytes-of-secret-0123456789";

    @TempDir
    Path dir;

    private HeraldConfig load(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("herald.yaml");
        Files.writeString(file, "api_key: k\nallow_anonymous: true\n" + yaml);
        return ConfigLoader.load(file, env, Overrides.NONE);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> fails(String yaml) {
        return assertThatThrownBy(() -> load(yaml, Map.of())).isInstanceOf(ConfigException.class);
    }

    @Test
    void the_protocol_example_is_parsed_into_an_immutable_record() throws IOException {
        HeraldConfig cfg = load("""
                webhooks:
                  - url: "http://app:3000/herald/webhooks"
                    secret: "%s"
                    events: [channel_occupied, channel_vacated, presence_join, presence_leave, client_publish]
                    vacate_delay: 5s
                    max_age: 1h
                  - url: "https://hooks.example.com/in"
                    secret: "%s"
                    events: [presence_leave]
                    vacate_delay: 250ms
                    max_age: 2m
                    timeout: 3s
                    max_in_flight: 2
                    max_queue: 50
                """.formatted(SECRET, SECRET), Map.of());
        assertThat(cfg.webhooks()).containsExactly(
                WebhookConfig.of(URI.create("http://app:3000/herald/webhooks"), SECRET),
                new WebhookConfig(URI.create("https://hooks.example.com/in"), SECRET, EnumSet.of(WebhookEvent.PRESENCE_LEAVE),
                        Duration.ofMillis(250), Duration.ofMinutes(2), Duration.ofSeconds(3), 2, 50));
        assertThat(cfg.webhooks().getFirst().events()).isEqualTo(EnumSet.allOf(WebhookEvent.class));
        assertThatThrownBy(() -> cfg.webhooks().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(cfg.webhooks().get(0).id()).isNotEqualTo(cfg.webhooks().get(1).id()).startsWith("h");
    }

    @Test
    void without_webhooks_there_are_none() throws IOException {
        assertThat(load("", Map.of()).webhooks()).isEmpty();
    }

    @Test
    void HERALD_WEBHOOK_URL_and_SECRET_give_one_hook_with_every_event_replacing_the_yaml_list() throws IOException {
        HeraldConfig cfg = load("webhooks: [{url: 'http://a/x', secret: '" + SECRET + "', events: [client_publish]}]\n",
                Map.of("HERALD_WEBHOOK_URL", "https://b.example.com/h", "HERALD_WEBHOOK_SECRET", SECRET));
        assertThat(cfg.webhooks()).containsExactly(WebhookConfig.of(URI.create("https://b.example.com/h"), SECRET));
    }

    @Test
    void HERALD_WEBHOOK_URL_without_the_secret_fails_naming_both() {
        assertThatThrownBy(() -> load("", Map.of("HERALD_WEBHOOK_URL", "https://b.example.com/h")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("HERALD_WEBHOOK_URL: set without HERALD_WEBHOOK_SECRET (set both, or neither)");
    }

    @Test
    void a_url_that_is_not_http_fails_naming_its_path() {
        fails("webhooks: [{url: 'ftp://app/x', secret: '" + SECRET + "'}]\n")
                .hasMessageStartingWith("webhooks[0].url: invalid URL 'ftp://app/x' (use an http:// or https:// URL");
    }

    @Test
    void a_short_secret_fails_naming_its_path_and_length() {
        fails("webhooks: [{url: 'http://app/x', secret: 'short'}]\n")
                .hasMessage("webhooks[0].secret: must be at least 32 bytes (it is the HMAC-SHA256 key of"
                        + " X-Herald-Signature), was 5");
    }

    @Test
    void an_unknown_event_fails_with_a_suggestion_and_the_known_names() {
        fails("webhooks: [{url: 'http://app/x', secret: '" + SECRET + "', events: [presence_joined]}]\n")
                .hasMessage("webhooks[0].events: unknown event 'presence_joined' (did you mean 'presence_join'?);"
                        + " known: channel_occupied, channel_vacated, presence_join, presence_leave, client_publish");
    }

    @Test
    void an_unknown_hook_key_fails_naming_its_path() {
        fails("webhooks: [{url: 'http://app/x', secrt: '" + SECRET + "'}]\n")
                .hasMessage("unknown key 'webhooks[0].secrt' (did you mean 'webhooks[0].secret'?)");
    }

    @Test
    void a_hook_without_a_secret_and_an_empty_event_list_and_a_repeated_url_fail() {
        fails("webhooks: [{url: 'http://app/x'}]\n").hasMessage("webhooks[0]: needs both url and secret");
        fails("webhooks: [{url: 'http://app/x', secret: '" + SECRET + "', events: []}]\n")
                .hasMessage("webhooks[0].events: must name at least one event");
        fails("webhooks: [{url: 'http://app/x', secret: '" + SECRET + "'}, {url: 'http://app/x', secret: '" + SECRET + "'}]\n")
                .hasMessage("webhooks: the URL http://app/x is listed twice (one entry per URL)");
        fails("webhooks: {url: 'http://app/x'}\n").hasMessage("webhooks: must be a list of mappings");
        fails("webhooks: [{url: 'http://app/x', secret: '" + SECRET + "', max_age: 500ms}]\n")
                .hasMessageStartingWith("webhooks[0].max_age:");
        fails("webhooks: [{url: 'http://app/x', secret: '" + SECRET + "', max_in_flight: 0}]\n")
                .hasMessage("webhooks[0].max_in_flight: must be 1..1024 (was 0)");
    }

    @Test
    void check_config_shows_the_hooks_with_the_secret_redacted() throws IOException {
        String text = ConfigLoader.describe(load("webhooks: [{url: 'http://app/x', secret: '" + SECRET + "'}]\n", Map.of()));
        assertThat(text).contains("webhooks:", "- url: http://app/x", "secret: \"<redacted, 38 chars>\"", "vacate_delay: 5s",
                "max_age: 1h").doesNotContain(SECRET);
    }
}
