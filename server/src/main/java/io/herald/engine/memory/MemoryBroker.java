package io.herald.engine.memory;

import io.herald.engine.Broker;
import io.herald.engine.BrokerListener;
import io.herald.engine.ControlCommand;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.Publication;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The single-node broker: delivers to this node's listener synchronously, on the caller's thread,
 * for subscribed channels. There are no other nodes, so control commands go nowhere.
 */
public final class MemoryBroker implements Broker {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** Set once by {@link #start}; read by any thread. */
    private volatile BrokerListener listener;
    private final Set<ChannelName> subscribed = ConcurrentHashMap.newKeySet();
    /** While set, channels subscribed are noted here too (see {@link #recordSubscribes}). */
    private volatile Set<ChannelName> recording;

    @Override
    public void start(BrokerListener listener) {
        this.listener = listener;
    }

    @Override
    public CompletableFuture<Void> subscribe(ChannelName channel) {
        subscribed.add(channel);
        Set<ChannelName> r = recording;
        if (r != null) {
            r.add(channel);
        }
        return DONE;
    }

    @Override
    public CompletableFuture<Void> unsubscribe(ChannelName channel) {
        subscribed.remove(channel);
        return DONE;
    }

    /** Whether this node has subscribers in {@code channel}. */
    boolean isSubscribed(ChannelName channel) {
        return subscribed.contains(channel);
    }

    /** The channels with subscribers on this node: a live, weakly consistent view. */
    Set<ChannelName> subscribedChannels() {
        return Collections.unmodifiableSet(subscribed);
    }

    /**
     * Starts noting the channels subscribed from now on, until {@link #stopRecording}: a channel
     * subscribed after this call is in the returned set or in {@link #subscribedChannels()} as
     * iterated after it. One recording at a time (the history store's sweep).
     */
    Set<ChannelName> recordSubscribes() {
        Set<ChannelName> r = ConcurrentHashMap.newKeySet();
        recording = r;
        return r;
    }

    void stopRecording() {
        recording = null;
    }

    @Override
    public CompletableFuture<Void> publish(Publication publication) {
        BrokerListener l = listener;
        if (l != null && subscribed.contains(publication.channel())) {
            l.onPublication(publication);
        }
        return DONE;
    }

    @Override
    public CompletableFuture<Void> publishPresenceChange(ChannelName channel, ClientInfo client, boolean join) {
        BrokerListener l = listener;
        if (l != null && subscribed.contains(channel)) {
            l.onPresenceChange(channel, client, join);
        }
        return DONE;
    }

    @Override
    public CompletableFuture<Void> publishControl(ControlCommand command) {
        return DONE;
    }

    @Override
    public void close() {
        subscribed.clear();
    }
}
