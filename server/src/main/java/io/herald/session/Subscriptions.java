package io.herald.session;

import io.herald.engine.HistoryResult;
import io.herald.protocol.ChannelName;
import io.herald.protocol.StreamPosition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One connection's subscriptions, at most one per channel, and their membership of the hub: adding
 * one joins the channel in the hub, removing one leaves it, so a subscription is in the hub only
 * while it is here. Owned by the connection's thread; not thread-safe.
 */
final class Subscriptions {
    private final SessionServices services;
    /** Most connections hold one or two channels. */
    private final Map<ChannelName, Subscription> byChannel = new HashMap<>(2);

    Subscriptions(SessionServices services) {
        this.services = services;
    }

    boolean contains(ChannelName channel) {
        return byChannel.containsKey(channel);
    }

    /** The subscription to {@code channel}, or null. */
    Subscription get(ChannelName channel) {
        return byChannel.get(channel);
    }

    /** True while {@code sub} is the connection's subscription to its channel (it was not ended or replaced). */
    boolean isCurrent(Subscription sub) {
        return byChannel.get(sub.channel) == sub;
    }

    int size() {
        return byChannel.size();
    }

    /** The subscribed channel names, sorted. */
    List<String> names() {
        return byChannel.keySet().stream().map(ChannelName::value).sorted().toList();
    }

    /**
     * Adds {@code sub} (replacing none: the caller checked {@link #contains}) and starts it with
     * {@link ChannelJoin}: joins the hub, then reads the channel's position, or what was published
     * after {@code since} (at most {@code limit} publications). When the future fails the caller
     * {@link #remove}s it.
     */
    CompletableFuture<HistoryResult> add(Subscription sub, StreamPosition since, int limit) {
        byChannel.put(sub.channel, sub);
        return ChannelJoin.thenRead(services, sub.channel, sub, since, limit);
    }

    /** Removes {@code sub} and its hub membership; false when it was not current (already removed or replaced). */
    boolean remove(Subscription sub) {
        boolean current = byChannel.remove(sub.channel, sub);
        // a replaced subscription left the hub when it was removed; removing it again changes nothing
        services.hub().removeSubscriber(sub.channel, sub);
        return current;
    }

    /** The subscriptions as they are now, to end some or all of them while walking the list. */
    List<Subscription> snapshot() {
        return List.copyOf(byChannel.values());
    }
}
