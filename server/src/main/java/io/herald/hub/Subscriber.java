package io.herald.hub;

import io.herald.engine.ControlCommand;
import java.util.concurrent.CompletableFuture;

/**
 * A connection as the hub's registry sees it (its channel memberships are {@link ChannelMember}s).
 * Every method may be called from any thread and must return quickly: implementations hand the work
 * to the connection's own thread.
 */
public interface Subscriber {
    /** The node-unique client id. */
    String clientId();

    /** The user id ("" for anonymous); stable once the subscriber is registered. */
    String userId();

    /** Applies a server API command aimed at this connection. */
    void control(ControlCommand command);

    /** What an operator sees of this connection, read on the connection's own thread. */
    CompletableFuture<SubscriberView> describe();
}
