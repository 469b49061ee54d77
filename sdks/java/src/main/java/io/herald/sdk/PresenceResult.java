package io.herald.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Who is in a channel; {@code users} counts distinct user ids. */
public record PresenceResult(List<Client> clients, long users) {
    public PresenceResult {
        clients = List.copyOf(clients);
    }

    /** One connection in presence; {@code info} is the token's {@code info} claim (null when none). */
    public record Client(String client, String user, JsonNode info) {
    }
}
