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

    /**
     * Delivery of {@code channel} to this node was interrupted (the engine connection was lost and has
     * been re-established) and is in effect again: publications may have been missed in between, so
     * every local subscription of the channel must resynchronise from history.
     */
    void onDeliveryInterrupted(ChannelName channel);
}
