package io.herald.hub;

import io.herald.engine.ControlCommand;
import io.herald.protocol.ChannelName;
import io.herald.protocol.Publication;

/**
 * A connection as the hub sees it. Every method may be called from any thread and must return
 * quickly: implementations hand the work to the connection's own thread.
 */
public interface Subscriber {
    /** The node-unique client id. */
    String clientId();

    /** The user id ("" for anonymous); stable once the subscriber is registered. */
    String userId();

    /** A publication of a channel this subscriber was added to. */
    void deliver(Publication publication);

    /** A join or leave push, already encoded, for a channel this subscriber was added to. */
    void deliverPresenceChange(ChannelName channel, byte[] frame);

    /** Applies a server API command aimed at this connection. */
    void control(ControlCommand command);
}
