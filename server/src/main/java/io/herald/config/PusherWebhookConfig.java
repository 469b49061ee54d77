package io.herald.config;

import io.herald.pusher.PusherWebhookEvent;
import java.net.URI;
import java.util.EnumSet;
import java.util.Set;

/**
 * One Pusher-format webhook of an app: where Herald POSTs the app's events, signed with the app's
 * secret ({@code X-Pusher-Key}, {@code X-Pusher-Signature}), and which events. Immutable.
 *
 * @param url    {@code http://} or {@code https://} URL of the receiver
 * @param events the events sent to it (never empty; all of them unless the config names some)
 */
public record PusherWebhookConfig(URI url, Set<PusherWebhookEvent> events) {
    public PusherWebhookConfig {
        events = Set.copyOf(EnumSet.copyOf(events));
    }

    /** A hook with every event. */
    public static PusherWebhookConfig of(URI url) {
        return new PusherWebhookConfig(url, EnumSet.allOf(PusherWebhookEvent.class));
    }

    /** The URL with any user info hidden, for logs and {@code check-config}. */
    public String redactedUrl() {
        return url.getRawUserInfo() == null ? url.toString() : url.toString().replace(url.getRawUserInfo() + "@", "***@");
    }

    @Override
    public String toString() {
        return "PusherWebhookConfig[" + redactedUrl() + ", " + events + "]";
    }
}
