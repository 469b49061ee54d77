package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.ConfigLoader.Overrides;
import io.herald.pusher.PusherWebhookEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PusherConfigTest {
    private static final String SECRET = "pusher-secret-0123456789";

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

    private AbstractThrowableAssert<?, ? extends Throwable> envFails(Map<String, String> env) {
        return assertThatThrownBy(() -> load("", env)).isInstanceOf(ConfigException.class);
    }

    @Test
    void everyAppSettingIsReadIntoAnImmutableRecord() throws IOException {
        HeraldConfig cfg = load("""
                pusher:
                  apps:
                    - id: "1001"
                      key: app-key-1
                      secret: "%s"
                      native: true
                      client_events: true
                      user_authentication: true
                      max_connections: 500
                      max_client_events_per_second: 20
                      webhooks:
                        - url: "http://app:3000/pusher/webhooks"
                          events: [member_added, member_removed]
                        - url: "https://hooks.example.com/p"
                    - id: "1002"
                      key: app-key-2
                      secret: "%s-2"
                """.formatted(SECRET, SECRET), Map.of());

        PusherAppConfig first = cfg.pusher().apps().get(0);
        assertThat(first).isEqualTo(new PusherAppConfig("1001", "app-key-1", SECRET, true, true, true, 500, 20, List.of(
                new PusherWebhookConfig(URI.create("http://app:3000/pusher/webhooks"),
                        EnumSet.of(PusherWebhookEvent.MEMBER_ADDED, PusherWebhookEvent.MEMBER_REMOVED)),
                PusherWebhookConfig.of(URI.create("https://hooks.example.com/p")))));
        assertThat(cfg.pusher().apps().get(1)).isEqualTo(PusherAppConfig.of("1002", "app-key-2", SECRET + "-2", false));
        assertThat(cfg.pusher().nativeApp()).contains(first);
        assertThatThrownBy(() -> cfg.pusher().apps().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(first.webhooks().get(1).events()).isEqualTo(EnumSet.allOf(PusherWebhookEvent.class));
    }

    @Test
    void withoutAPusherSectionThereAreNoApps() throws IOException {
        assertThat(load("", Map.of()).pusher()).isEqualTo(PusherConfig.NONE);
        assertThat(load("pusher: {}\n", Map.of()).pusher().apps()).isEmpty();
    }

    @Test
    void theOnlyAppIsNativeUnlessItSaysOtherwise() throws IOException {
        String one = "pusher: {apps: [{id: a, key: ka, secret: " + SECRET + "%s}]}\n";
        assertThat(load(one.formatted(""), Map.of()).pusher().apps().getFirst().isNative()).isTrue();
        assertThat(load(one.formatted(", native: false"), Map.of()).pusher().nativeApp()).isEmpty();
        HeraldConfig two = load("pusher: {apps: [{id: a, key: ka, secret: " + SECRET + "}, {id: b, key: kb, secret: "
                + SECRET + "}]}\n", Map.of());
        assertThat(two.pusher().nativeApp()).isEmpty();
    }

    @Test
    void repeatedIdsOrKeysAndTwoNativeAppsFailNamingTheList() {
        fails("pusher: {apps: [{id: a, key: ka, secret: " + SECRET + "}, {id: a, key: kb, secret: " + SECRET + "}]}\n")
                .hasMessage("pusher.apps: the app id a is listed twice");
        fails("pusher: {apps: [{id: a, key: ka, secret: " + SECRET + "}, {id: b, key: ka, secret: " + SECRET + "}]}\n")
                .hasMessage("pusher.apps: the key ka is used by two apps");
        fails("pusher: {apps: [{id: a, key: ka, secret: " + SECRET + ", native: true}, {id: b, key: kb, secret: "
                + SECRET + ", native: true}]}\n")
                .hasMessage("pusher.apps: apps a and b are both native; at most one app's channels can be Herald's own");
    }

    @Test
    void badIdsKeysSecretsAndLimitsFailNamingTheirPath() {
        fails("pusher: {apps: [{id: a, key: ka}]}\n").hasMessage("pusher.apps[0]: needs id, key and secret");
        fails("pusher: {apps: [{id: 'a/b', key: ka, secret: " + SECRET + "}]}\n")
                .hasMessage("pusher.apps[0].id: must be 1-50 characters of A-Z a-z 0-9 _ . - (was 'a/b')");
        fails("pusher: {apps: [{id: a, key: 'k k', secret: " + SECRET + "}]}\n")
                .hasMessageStartingWith("pusher.apps[0].key: must be 1-64 characters");
        fails("pusher: {apps: [{id: a, key: ka, secret: short}]}\n")
                .hasMessage("pusher.apps[0].secret: must be at least 16 bytes (it is the HMAC-SHA256 key of every"
                        + " Pusher signature), was 5");
        fails("pusher: {apps: [{id: a, key: " + SECRET + ", secret: " + SECRET + "}]}\n")
                .hasMessage("pusher.apps[0].secret: must not be the app's key (the key is public)");
        fails("pusher: {apps: [{id: a, key: ka, secret: " + SECRET + ", max_client_events_per_second: 0}]}\n")
                .hasMessage("pusher.apps[0].max_client_events_per_second: must be 1..10000 (was 0)");
        fails("pusher: {apps: [{id: a, key: ka, secret: " + SECRET + ", max_connections: -1}]}\n")
                .hasMessageStartingWith("pusher.apps[0].max_connections: must be 0..");
        fails("pusher: {apps: [{id: a, key: ka, secret: " + SECRET + ", client_event: true}]}\n")
                .hasMessage("unknown key 'pusher.apps[0].client_event' (did you mean 'pusher.apps[0].client_events'?)");
        fails("pusher: {app: []}\n").hasMessage("unknown key 'pusher.app' (did you mean 'pusher.apps'?)");
    }

    @Test
    void badWebhooksFailNamingTheirPath() {
        String app = "pusher: {apps: [{id: a, key: ka, secret: " + SECRET + ", webhooks: [%s]}]}\n";
        fails(app.formatted("{url: 'ftp://x/y'}")).hasMessageStartingWith("pusher.apps[0].webhooks[0].url: invalid URL");
        fails(app.formatted("{events: [member_added]}")).hasMessageStartingWith("pusher.apps[0].webhooks[0].url: required");
        fails(app.formatted("{url: 'http://x/y', events: [member_add]}"))
                .hasMessage("pusher.apps[0].webhooks[0].events: unknown event 'member_add' (did you mean 'member_added'?);"
                        + " known: channel_occupied, channel_vacated, member_added, member_removed, client_event, cache_miss");
        fails(app.formatted("{url: 'http://x/y', events: []}"))
                .hasMessage("pusher.apps[0].webhooks[0].events: must name at least one event");
        fails(app.formatted("{url: 'http://x/y'}, {url: 'http://x/y'}"))
                .hasMessage("pusher.apps[0].webhooks: the URL http://x/y is listed twice (one entry per URL)");
    }

    @Test
    void theEnvironmentGivesOneNativeAppReplacingTheYamlList() throws IOException {
        HeraldConfig cfg = load("pusher: {apps: [{id: a, key: ka, secret: " + SECRET + "}, {id: b, key: kb, secret: "
                + SECRET + "}]}\n", Map.of("HERALD_PUSHER_APP_ID", "42", "HERALD_PUSHER_APP_KEY", "key42",
                "HERALD_PUSHER_APP_SECRET", SECRET, "HERALD_PUSHER_CLIENT_EVENTS", "true"));
        assertThat(cfg.pusher().apps()).containsExactly(PusherAppConfig.of("42", "key42", SECRET, true).withClientEvents(true));
    }

    @Test
    void anIncompleteEnvironmentAppFailsNamingWhatIsMissing() {
        envFails(Map.of("HERALD_PUSHER_APP_ID", "42", "HERALD_PUSHER_APP_SECRET", SECRET))
                .hasMessage("HERALD_PUSHER_APP_ID, HERALD_PUSHER_APP_KEY and HERALD_PUSHER_APP_SECRET: set all three,"
                        + " or none (missing: HERALD_PUSHER_APP_KEY)");
        envFails(Map.of("HERALD_PUSHER_CLIENT_EVENTS", "true"))
                .hasMessageStartingWith("HERALD_PUSHER_CLIENT_EVENTS: set without HERALD_PUSHER_APP_ID");
        envFails(Map.of("HERALD_PUSHER_APP_ID", "42", "HERALD_PUSHER_APP_KEY", "k", "HERALD_PUSHER_APP_SECRET", "x"))
                .hasMessageStartingWith("HERALD_PUSHER_APP_SECRET: must be at least 16 bytes");
        envFails(Map.of("HERALD_PUSHER_APP_KYE", "k")).hasMessageStartingWith(
                "unknown environment variable HERALD_PUSHER_APP_KYE (did you mean HERALD_PUSHER_APP_KEY?)");
    }

    @Test
    void describeShowsTheAppsButNeverTheirSecrets() throws IOException {
        HeraldConfig cfg = load("pusher: {apps: [{id: a, key: ka, secret: " + SECRET
                + ", webhooks: [{url: 'http://u:pw@app/h'}]}]}\n", Map.of());
        String text = ConfigLoader.describe(cfg);
        assertThat(text).doesNotContain(SECRET).doesNotContain("pw@")
                .contains("<redacted, " + SECRET.length() + " chars>").contains("key: ka").contains("native: true");
        assertThat(cfg.pusher().apps().getFirst().toString()).doesNotContain(SECRET);
    }
}
