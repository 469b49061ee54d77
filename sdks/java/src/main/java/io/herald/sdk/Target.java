package io.herald.sdk;

import java.util.Objects;

/** Whom a server API subscribe, unsubscribe or disconnect acts on: every connection of a user, or one connection. */
public record Target(String user, String client) {
    public Target {
        if ((user == null) == (client == null)) {
            throw new IllegalArgumentException("give exactly one of user and client");
        }
    }

    public static Target user(String user) {
        return new Target(Objects.requireNonNull(user, "user"), null);
    }

    public static Target client(String client) {
        return new Target(null, Objects.requireNonNull(client, "client"));
    }
}
