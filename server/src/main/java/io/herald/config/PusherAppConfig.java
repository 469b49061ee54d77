package io.herald.config;

import java.util.List;

/**
 * One Pusher Channels app served on {@code /app/{key}} and the Pusher HTTP API {@code /apps/{id}}.
 * Immutable; {@link #toString()} hides the secret.
 *
 * @param id                        the app id of the HTTP API ({@code /apps/{id}/events}); names the
 *                                  app's hub namespace {@code pusher-{id}} unless it is native
 * @param key                       the public key clients connect with ({@code /app/{key}})
 * @param secret                    the HMAC-SHA256 key of channel auth, user auth, API requests and webhooks
 * @param isNative                  whether the app's channels are Herald's own channels (same names,
 *                                  shared with {@code /ws} clients); at most one app is
 * @param clientEvents              whether {@code client-*} events on private and presence channels are allowed
 * @param userAuthentication        whether every connection must {@code pusher:signin} within
 *                                  {@link #SIGNIN_DEADLINE_SECONDS} s or be closed with 4009 (Pusher's
 *                                  "authorized connections"); signin is allowed either way
 * @param maxConnections            open connections of the app (0: no app limit; the node's limits still apply)
 * @param maxClientEventsPerSecond  client events one connection may send per second (Pusher's limit is 10)
 * @param webhooks                  Pusher-format webhooks of the app (empty: none)
 */
public record PusherAppConfig(String id, String key, String secret, boolean isNative, boolean clientEvents,
                              boolean userAuthentication, int maxConnections, int maxClientEventsPerSecond,
                              List<PusherWebhookConfig> webhooks) {
    public static final int DEFAULT_MAX_CLIENT_EVENTS_PER_SECOND = 10;
    /** How long a connection of an app with {@code user_authentication} has to sign in. */
    public static final int SIGNIN_DEADLINE_SECONDS = 30;
    /** The hub namespace of a non-native app is this prefix and its id. */
    public static final String NAMESPACE_PREFIX = "pusher-";

    public PusherAppConfig {
        webhooks = List.copyOf(webhooks);
    }

    /** An app with the defaults: client events off, signin optional, no app connection limit, no webhooks. */
    public static PusherAppConfig of(String id, String key, String secret, boolean isNative) {
        return new PusherAppConfig(id, key, secret, isNative, false, false, 0, DEFAULT_MAX_CLIENT_EVENTS_PER_SECOND,
                List.of());
    }

    public PusherAppConfig withNative(boolean value) {
        return new PusherAppConfig(id, key, secret, value, clientEvents, userAuthentication, maxConnections,
                maxClientEventsPerSecond, webhooks);
    }

    public PusherAppConfig withClientEvents(boolean value) {
        return new PusherAppConfig(id, key, secret, isNative, value, userAuthentication, maxConnections,
                maxClientEventsPerSecond, webhooks);
    }

    public PusherAppConfig withLimits(boolean signinRequired, int connections, int clientEventsPerSecond) {
        return new PusherAppConfig(id, key, secret, isNative, clientEvents, signinRequired, connections,
                clientEventsPerSecond, webhooks);
    }

    public PusherAppConfig withWebhooks(List<PusherWebhookConfig> value) {
        return new PusherAppConfig(id, key, secret, isNative, clientEvents, userAuthentication, maxConnections,
                maxClientEventsPerSecond, value);
    }

    /** The hub namespace of a non-native app's channels ({@code pusher-{id}}). */
    public String namespace() {
        return NAMESPACE_PREFIX + id;
    }

    @Override
    public String toString() {
        return "PusherAppConfig[id=" + id + ", key=" + key + ", secret=<redacted>, native=" + isNative
                + ", client_events=" + clientEvents + ", user_authentication=" + userAuthentication
                + ", max_connections=" + maxConnections + ", max_client_events_per_second=" + maxClientEventsPerSecond
                + ", webhooks=" + webhooks + "]";
    }
}
