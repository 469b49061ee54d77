package io.herald.config;

import io.herald.pusher.PusherWebhookEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and checks {@code pusher.apps} (YAML) and the one-app {@code HERALD_PUSHER_*} variables.
 * The app id names the hub namespace {@code pusher-{id}}, so it is a namespace name's characters and
 * short enough to leave room; the key is a URL path segment ({@code /app/{key}}).
 */
final class PusherRules {
    static final Set<String> PUSHER_KEYS = Set.of("apps");
    static final Set<String> APP_KEYS = Set.of("id", "key", "secret", "native", "client_events", "user_authentication",
            "max_connections", "max_client_events_per_second", "webhooks");
    static final Set<String> WEBHOOK_KEYS = Set.of("url", "events");
    /** Pusher's own secrets are 20 hex characters; shorter ones could be guessed from one signature offline. */
    static final int MIN_SECRET_BYTES = 16;
    static final int MAX_CLIENT_EVENTS_PER_SECOND = 10_000;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.\\-]{1,50}");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    private PusherRules() {
    }

    /** The {@code pusher:} section: its apps, checked together (a single app without {@code native} is native). */
    static PusherConfig read(YamlSection pusher) {
        pusher.requireKnown(PUSHER_KEYS);
        List<YamlSection> given = pusher.sections("apps");
        if (given == null) {
            return PusherConfig.NONE;
        }
        List<PusherAppConfig> apps = new ArrayList<>();
        for (YamlSection a : given) {
            PusherAppConfig app = readApp(a);
            Boolean isNative = a.bool("native");
            apps.add(app.withNative(isNative != null ? isNative : given.size() == 1));
        }
        return checked(apps, pusher.key("apps"));
    }

    private static PusherAppConfig readApp(YamlSection a) {
        a.requireKnown(APP_KEYS);
        String id = a.text("id");
        String key = a.text("key");
        String secret = a.text("secret");
        if (id == null || key == null || secret == null) {
            throw new ConfigException(a.path() + ": needs id, key and secret");
        }
        PusherAppConfig app = app(id, key, secret, a.key("id"), a.key("key"), a.key("secret"));
        Boolean clientEvents = a.bool("client_events");
        Boolean signin = a.bool("user_authentication");
        Long connections = a.integer("max_connections");
        Long rate = a.integer("max_client_events_per_second");
        List<PusherWebhookConfig> hooks = new ArrayList<>();
        List<YamlSection> webhooks = a.sections("webhooks");
        if (webhooks != null) {
            Set<URI> urls = new HashSet<>();
            for (YamlSection h : webhooks) {
                PusherWebhookConfig hook = readWebhook(h);
                if (!urls.add(hook.url())) {
                    throw new ConfigException(a.key("webhooks") + ": the URL " + hook.redactedUrl()
                            + " is listed twice (one entry per URL)");
                }
                hooks.add(hook);
            }
        }
        return app.withClientEvents(clientEvents != null && clientEvents)
                .withLimits(signin != null && signin,
                        connections != null ? ConfigRules.limit(connections, a.key("max_connections")) : 0,
                        rate != null ? (int) ConfigRules.limitAtLeastOne(rate, MAX_CLIENT_EVENTS_PER_SECOND,
                                a.key("max_client_events_per_second"))
                                : PusherAppConfig.DEFAULT_MAX_CLIENT_EVENTS_PER_SECOND)
                .withWebhooks(hooks);
    }

    private static PusherWebhookConfig readWebhook(YamlSection h) {
        h.requireKnown(WEBHOOK_KEYS);
        String url = h.text("url");
        if (url == null) {
            throw new ConfigException(h.key("url") + ": required (the URL Herald POSTs the app's webhooks to)");
        }
        URI uri = ConfigRules.webhookUrl(url, h.key("url"));
        List<String> events = h.texts("events");
        return events == null ? PusherWebhookConfig.of(uri) : new PusherWebhookConfig(uri, events(events, h.key("events")));
    }

    private static Set<PusherWebhookEvent> events(List<String> names, String label) {
        if (names.isEmpty()) {
            throw new ConfigException(label + ": must name at least one event");
        }
        List<String> known = Arrays.stream(PusherWebhookEvent.values()).map(PusherWebhookEvent::wire).toList();
        Set<PusherWebhookEvent> out = EnumSet.noneOf(PusherWebhookEvent.class);
        for (String n : names) {
            String name = n.trim();
            out.add(PusherWebhookEvent.of(name).orElseThrow(() -> new ConfigException(label + ": unknown event '" + name
                    + "'" + Suggestion.of(name, known).map(s -> " (did you mean '" + s + "'?)").orElse("")
                    + "; known: " + String.join(", ", known))));
        }
        return out;
    }

    /** An app with the defaults, its id, key and secret checked (labels name where each came from). */
    static PusherAppConfig app(String id, String key, String secret, String idLabel, String keyLabel, String secretLabel) {
        if (!ID.matcher(id).matches()) {
            throw new ConfigException(idLabel + ": must be 1-50 characters of A-Z a-z 0-9 _ . - (was '" + id + "')");
        }
        if (!KEY.matcher(key).matches()) {
            throw new ConfigException(keyLabel + ": must be 1-64 characters of A-Z a-z 0-9 _ . - (was '" + key + "')");
        }
        int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < MIN_SECRET_BYTES) {
            throw new ConfigException(secretLabel + ": must be at least " + MIN_SECRET_BYTES
                    + " bytes (it is the HMAC-SHA256 key of every Pusher signature), was " + bytes);
        }
        if (secret.equals(key)) {
            throw new ConfigException(secretLabel + ": must not be the app's key (the key is public)");
        }
        return PusherAppConfig.of(id, key, secret, false);
    }

    /** Ids and keys unique, at most one native app. */
    static PusherConfig checked(List<PusherAppConfig> apps, String label) {
        Set<String> ids = new HashSet<>();
        Set<String> keys = new HashSet<>();
        String nativeId = null;
        for (PusherAppConfig a : apps) {
            if (!ids.add(a.id())) {
                throw new ConfigException(label + ": the app id " + a.id() + " is listed twice");
            }
            if (!keys.add(a.key())) {
                throw new ConfigException(label + ": the key " + a.key() + " is used by two apps");
            }
            if (a.isNative()) {
                if (nativeId != null) {
                    throw new ConfigException(label + ": apps " + nativeId + " and " + a.id() + " are both native;"
                            + " at most one app's channels can be Herald's own");
                }
                nativeId = a.id();
            }
        }
        return new PusherConfig(apps);
    }
}
