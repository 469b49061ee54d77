package io.herald.engine;

import io.herald.protocol.ChannelName;

/**
 * A server API action that every node applies to its own connections. A target is a user id or a
 * client id (exactly one of the two is non-null).
 */
public sealed interface ControlCommand {
    String user();

    String client();

    record Subscribe(String user, String client, ChannelName channel) implements ControlCommand {
    }

    record Unsubscribe(String user, String client, ChannelName channel) implements ControlCommand {
    }

    /**
     * Closes the target's connections with 4010, telling them {@code reconnect} (false: the session
     * ends) and {@code reason}.
     */
    record Disconnect(String user, String client, boolean reconnect, String reason) implements ControlCommand {
        /** The reason when the application gives none. */
        public static final String DEFAULT_REASON = "disconnected by the server";
        /** Longest reason, in bytes of UTF-8: what a WebSocket close frame can carry whole. */
        public static final int MAX_REASON_BYTES = 123;
    }
}
