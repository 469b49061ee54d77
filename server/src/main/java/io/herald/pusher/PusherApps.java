package io.herald.pusher;

import io.herald.config.PusherAppConfig;
import io.herald.config.PusherConfig;
import io.herald.protocol.ChannelName;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The configured Pusher apps, found by key (WebSocket {@code /app/{key}}, HTTP API {@code auth_key})
 * and by id (HTTP API {@code /apps/{id}}). Built once from the validated config; immutable and
 * thread-safe.
 */
public final class PusherApps {
    private final Map<String, PusherApp> byKey = new LinkedHashMap<>();
    private final Map<String, PusherApp> byId = new LinkedHashMap<>();

    private PusherApps(PusherConfig config) {
        Set<String> namespaces = config.apps().stream().filter(a -> !a.isNative())
                .map(PusherAppConfig::namespace).collect(Collectors.toSet());
        for (PusherAppConfig a : config.apps()) {
            PusherApp app = new PusherApp(a, namespaces);
            if (byKey.putIfAbsent(a.key(), app) != null || byId.putIfAbsent(a.id(), app) != null) {
                // the loader refuses this; a config built in code must not get here either
                throw new IllegalArgumentException("pusher.apps: app id " + a.id() + " or its key is not unique");
            }
        }
    }

    public static PusherApps of(PusherConfig config) {
        return new PusherApps(config);
    }

    public Optional<PusherApp> byKey(String key) {
        return Optional.ofNullable(key == null ? null : byKey.get(key));
    }

    public Optional<PusherApp> byId(String id) {
        return Optional.ofNullable(id == null ? null : byId.get(id));
    }

    /** The app whose channels are Herald's own, if any. */
    public Optional<PusherApp> nativeApp() {
        return byId.values().stream().filter(PusherApp::isNative).findFirst();
    }

    /** Every app, in config order. */
    public Collection<PusherApp> all() {
        return byId.values();
    }

    /**
     * Whether {@code hub} is a presence channel of some app: its members' joins and leaves are pushed
     * whatever the namespace's {@code join_leave}, because Pusher clients learn of members only so.
     */
    public boolean isPresenceChannel(ChannelName hub) {
        for (PusherApp app : byId.values()) {
            String name = app.pusherName(hub);
            if (name != null && PusherChannelType.of(name) == PusherChannelType.PRESENCE) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }
}
