package io.herald.sdk;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A publication as subscribers and history see it:
 * {@code {"type": <event>, "channel", "data", "offset", "epoch", "timestamp", "user"?}}.
 *
 * @param user the publishing user for publications made by a client; null otherwise
 */
public record Publication(String type, String channel, JsonNode data, long offset, String epoch, String timestamp,
                          String user) {

    /** The data decoded into {@code type} with {@link Json#MAPPER}. */
    public <T> T dataAs(Class<T> type) {
        try {
            return Json.MAPPER.treeToValue(data, type);
        } catch (IOException e) {
            throw new UncheckedIOException("data of " + this.type + " at " + channel + "@" + offset
                    + " is not a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public <T> T dataAs(TypeReference<T> type) {
        try {
            return Json.MAPPER.treeToValue(data, Json.MAPPER.constructType(type));
        } catch (IOException e) {
            throw new UncheckedIOException("data of " + this.type + " at " + channel + "@" + offset
                    + " does not decode: " + e.getMessage(), e);
        }
    }

    /** Reads one publication frame; null when {@code node} is not one (no channel, offset or epoch). */
    public static Publication fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode type = node.get("type");
        JsonNode channel = node.get("channel");
        JsonNode offset = node.get("offset");
        JsonNode epoch = node.get("epoch");
        if (type == null || !type.isTextual() || channel == null || !channel.isTextual() || offset == null
                || !offset.isIntegralNumber() || epoch == null || !epoch.isTextual()) {
            return null;
        }
        JsonNode data = node.get("data");
        return new Publication(type.asText(), channel.asText(), data == null ? Json.MAPPER.nullNode() : data,
                offset.asLong(), epoch.asText(), Json.textOr(node, "timestamp", null), Json.textOr(node, "user", null));
    }
}
