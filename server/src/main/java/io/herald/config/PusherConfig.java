package io.herald.config;

import java.util.List;
import java.util.Optional;

/**
 * The Pusher Channels apps Herald serves ({@code pusher.apps}). Immutable. Validated at load: ids and
 * keys are unique, at most one app is native, and when a single app is configured without
 * {@code native} it is the native one.
 *
 * @param apps the apps, in config order (empty: the Pusher endpoints answer as for an unknown app)
 */
public record PusherConfig(List<PusherAppConfig> apps) {
    public static final PusherConfig NONE = new PusherConfig(List.of());

    public PusherConfig {
        apps = List.copyOf(apps);
    }

    /** The app whose channels are Herald's own, if any. */
    public Optional<PusherAppConfig> nativeApp() {
        return apps.stream().filter(PusherAppConfig::isNative).findFirst();
    }
}
