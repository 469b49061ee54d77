package io.herald.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** A client command, parsed and validated as far as the frame alone allows. {@code id} may be null. */
public sealed interface Command {
    Long id();

    /** {@code data} (JSON text, or null) goes to the connect proxy when the connection has no token. */
    record Connect(Long id, String token, String name, String version, Map<ChannelName, StreamPosition> since,
                   RawJson data) implements Command {
    }

    /** {@code data} (JSON text, or null) goes to the subscribe proxy where the namespace has one. */
    record Subscribe(Long id, ChannelName channel, StreamPosition since, RawJson data) implements Command {
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

    /** A call of the backend's rpc proxy; {@code data} is JSON text, or null when the command has none. */
    record Rpc(Long id, String method, RawJson data) implements Command {
    }
}
