package io.herald.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** A client command, parsed and validated as far as the frame alone allows. {@code id} may be null. */
public sealed interface Command {
    Long id();

    record Connect(Long id, String token, String name, String version, Map<ChannelName, StreamPosition> since)
            implements Command {
    }

    record Subscribe(Long id, ChannelName channel, StreamPosition since) implements Command {
    }

    record Unsubscribe(Long id, ChannelName channel) implements Command {
    }

    /**
     * {@code data} is the publisher's JSON text, validated and kept as sent; {@code idempotencyKey} as
     * the client gave it (validated), or null: the server then assigns one.
     */
    record Publish(Long id, ChannelName channel, String event, RawJson data, String idempotencyKey) implements Command {
    }

    /** {@code timestamp} is echoed back as given (any JSON value) or null. */
    record Ping(Long id, JsonNode timestamp) implements Command {
    }

    record Presence(Long id, ChannelName channel) implements Command {
    }

    record History(Long id, ChannelName channel, StreamPosition since, int limit) implements Command {
    }

    record Refresh(Long id, String token) implements Command {
    }
}
