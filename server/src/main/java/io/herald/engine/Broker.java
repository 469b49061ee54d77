package io.herald.engine;

import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.Publication;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Fan-out between nodes. A node subscribes once per channel (never per client) and receives, through
 * its {@link BrokerListener}, the publications and presence changes of the channels it is subscribed
 * to. Delivery is at most once; gaps are detected by offsets, not prevented here.
 * Thread-safe and non-blocking.
 */
public interface Broker {
    /** Sets the listener; called once before any other method. */
    void start(BrokerListener listener);

    /** Starts delivery of {@code channel} to this node. Completes once delivery is in effect. */
    CompletableFuture<Void> subscribe(ChannelName channel);

    /** Stops delivery of {@code channel} to this node. */
    CompletableFuture<Void> unsubscribe(ChannelName channel);

    /**
     * Delivers a publication to every node subscribed to its channel, this one included. Called by
     * {@link HistoryStore} implementations within their atomic per-channel step.
     */
    CompletableFuture<Void> publish(Publication publication);

    /** Delivers a join or leave to every node subscribed to the channel, this one included. */
    CompletableFuture<Void> publishPresenceChange(ChannelName channel, ClientInfo client, boolean join);

    /** Delivers a control command to every other node. */
    CompletableFuture<Void> publishControl(ControlCommand command);

    /**
     * Delivers an opaque note (the admin UI's questions and answers between nodes) to every other
     * node's note receiver, at most once. The memory engine has no other nodes.
     */
    default CompletableFuture<Void> publishNote(byte[] note) {
        return CompletableFuture.completedFuture(null);
    }

    /** Sets who receives other nodes' notes; called at most once. Runs on engine threads: must not block. */
    default void receiveNotes(Consumer<byte[]> receiver) {
    }

    void close();
}
