package io.herald.protocol;

import java.util.Set;

/** Rules for publication event names: {@code [A-Za-z0-9_.:-]{1,64}}, not reserved, not starting with {@code $}. */
public final class EventName {
    /** Message types of the protocol itself; never usable as event names. */
    public static final Set<String> RESERVED = Set.of("connect", "connected", "subscribe", "subscribed",
            "unsubscribe", "unsubscribed", "publish", "published", "ping", "pong", "presence", "history",
            "refresh", "refreshed", "refresh_required", "join", "leave", "error", "disconnect");
    /** Longest event name. */
    public static final int MAX_LENGTH = 64;

    private EventName() {
    }

    /** Returns null when {@code name} is a usable event name, else why it is not. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "event name is empty";
        }
        if (name.startsWith("$")) {
            return "event names starting with '$' are reserved";
        }
        if (!NameChars.EVENT.matches(name, MAX_LENGTH)) {
            return "event name must be 1-64 characters of A-Z a-z 0-9 _ . : -";
        }
        if (RESERVED.contains(name)) {
            return "event name '" + name + "' is a reserved message type";
        }
        return null;
    }
}
