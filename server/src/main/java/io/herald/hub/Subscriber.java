package io.herald.hub;

import io.herald.engine.ControlCommand;
import io.herald.protocol.ChannelName;
import io.herald.protocol.Publication;
import java.util.concurrent.Executor;

/**
 * A connection as the hub sees it. Except for {@link #onPublication}, every method may be called from
 * any thread and must return quickly: implementations hand the work to the connection's own thread.
 */
public interface Subscriber {
    /** The node-unique client id. */
    String clientId();

    /** The user id ("" for anonymous); stable once the subscriber is registered. */
    String userId();

    /**
     * The thread that owns this subscriber's state. The hub groups subscribers by it and delivers each
     * publication to a whole group in one task on it; the same executor must be returned every time.
     */
    Executor executor();

    /**
     * A publication of a channel this subscriber was added to; called on {@link #executor()}, for each
     * channel in offset order. Returns true when the publication was written to the client.
     */
    boolean onPublication(Publication publication);

    /** A join or leave push, already encoded, for a channel this subscriber was added to. */
    void deliverPresenceChange(ChannelName channel, byte[] frame);

    /** Applies a server API command aimed at this connection. */
    void control(ControlCommand command);
}
