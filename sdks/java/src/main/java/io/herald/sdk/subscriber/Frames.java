package io.herald.sdk.subscriber;

import java.util.Set;

/** Words of the protocol's frames that the subscriber reads. */
final class Frames {
    /** Message types of the protocol (PROTOCOL.md, "Server pushes"); any other {@code type} is an event name. */
    static final Set<String> RESERVED = Set.of("connect", "connected", "subscribe", "subscribed", "unsubscribe",
            "unsubscribed", "publish", "published", "ping", "pong", "presence", "history", "refresh", "refreshed",
            "refresh_required", "join", "leave", "error", "disconnect", "rpc");

    private Frames() {
    }
}
