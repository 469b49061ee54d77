package io.herald.engine;

import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.Publication;

/** Receives what the broker delivers to this node. Called from engine threads; must not block. */
public interface BrokerListener {
    /** A publication of a channel this node is subscribed to, in offset order per channel. */
    void onPublication(Publication publication);

    /** A join ({@code join = true}) or leave in a channel this node is subscribed to. */
    void onPresenceChange(ChannelName channel, ClientInfo client, boolean join);

    /** A command a server API call on another node asked every node to apply. */
    void onControl(ControlCommand command);
}
