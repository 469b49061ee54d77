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

    record Disconnect(String user, String client) implements ControlCommand {
    }
}
