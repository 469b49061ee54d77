package io.herald.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** One connection as others see it in presence and join/leave pushes. {@code info} may be null. */
public record ClientInfo(String client, String user, JsonNode info) {
}
