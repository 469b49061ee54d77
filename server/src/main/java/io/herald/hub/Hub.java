package io.herald.hub;

import io.herald.engine.Broker;
import io.herald.engine.BrokerListener;
import io.herald.engine.ControlCommand;
import io.herald.metrics.HeraldMetrics;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ChannelPattern;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.Frames;
import io.herald.protocol.Publication;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's registry of connections and of which connections are in which channel. It holds one
 * broker subscription per channel with local subscribers (never one per client), and dispatches
 * what the broker delivers to the local subscribers. Thread-safe.
 */
public final class Hub implements BrokerListener {
    private final Broker broker;
    private final ConcurrentHashMap<ChannelName, LocalChannel> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Subscriber> clients = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Subscriber>> users = new ConcurrentHashMap<>();
    private final AtomicLong subscriptionCount = new AtomicLong();
    private final PublishGate publishGate = new PublishGate();

    /**
     * The subscribers of one channel, grouped by the thread that owns them, so a publication costs one
     * task per thread rather than one per subscriber. Membership changes and broker calls happen under
     * its monitor; delivery reads the groups without it.
     */
    private static final class LocalChannel {
        /** Sized for the common case of few threads; a channel per connection must stay small. */
        final ConcurrentHashMap<Executor, Set<Subscriber>> byThread = new ConcurrentHashMap<>(2);
        /** Guarded by this. */
        int size;
        /** Completes when the node's broker subscription is in effect. Guarded by this. */
        CompletableFuture<Void> brokerSubscription;
        /** Set when the channel was removed from the map; adders must then retry. Guarded by this. */
        boolean removed;
    }

    private final HeraldMetrics metrics;

    public Hub(Broker broker, HeraldMetrics metrics) {
        this.broker = broker;
        this.metrics = metrics;
        broker.start(this);
    }

    /**
     * Registers a connected subscriber so server API commands can find it by client or user id, and
     * returns how many connections its user now has on this node.
     */
    public int register(Subscriber s) {
        clients.put(s.clientId(), s);
        Set<Subscriber> mine = users.compute(s.userId(), (u, set) -> {
            Set<Subscriber> out = set != null ? set : ConcurrentHashMap.newKeySet(2);
            out.add(s);
            return out;
        });
        return mine.size();
    }

    public void unregister(Subscriber s) {
        clients.remove(s.clientId(), s);
        users.computeIfPresent(s.userId(), (u, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    /**
     * Adds {@code s} to the channel. The future completes once the node receives the channel's
     * publications, so a stream position read after it misses nothing. Adding twice is harmless.
     */
    public CompletableFuture<Void> addSubscriber(ChannelName channel, Subscriber s) {
        while (true) {
            LocalChannel lc = channels.computeIfAbsent(channel, c -> new LocalChannel());
            synchronized (lc) {
                if (lc.removed) {
                    continue;
                }
                if (lc.byThread.computeIfAbsent(s.executor(), e -> ConcurrentHashMap.newKeySet(2)).add(s)) {
                    lc.size++;
                    subscriptionCount.incrementAndGet();
                }
                if (lc.brokerSubscription == null) {
                    lc.brokerSubscription = broker.subscribe(channel);
                }
                return lc.brokerSubscription;
            }
        }
    }

    /** Removes {@code s} from the channel; the last one out ends the node's broker subscription. */
    public void removeSubscriber(ChannelName channel, Subscriber s) {
        LocalChannel lc = channels.get(channel);
        if (lc == null) {
            return;
        }
        synchronized (lc) {
            Set<Subscriber> group = lc.byThread.get(s.executor());
            if (group == null || !group.remove(s)) {
                return;
            }
            if (group.isEmpty()) {
                lc.byThread.remove(s.executor(), group);
            }
            lc.size--;
            subscriptionCount.decrementAndGet();
            if (lc.size == 0) {
                lc.removed = true;
                channels.remove(channel, lc);
                broker.unsubscribe(channel);
            }
        }
    }

    /**
     * Hands the publication to each thread that owns subscribers of its channel, as one task per
     * thread. Called for each channel in offset order (the engine's contract), and each thread's task
     * queue is FIFO, so every subscriber sees the channel's publications in order.
     */
    @Override
    public void onPublication(Publication publication) {
        LocalChannel lc = channels.get(publication.channel());
        if (lc == null) {
            return;
        }
        lc.byThread.forEach((thread, group) -> thread.execute(() -> fanOut(group, publication)));
    }

    private void fanOut(Set<Subscriber> group, Publication publication) {
        int written = 0;
        for (Subscriber s : group) {
            if (s.onPublication(publication)) {
                written++;
            }
        }
        if (written > 0) {
            metrics.deliveries(written, publication.timestampMillis());
        }
    }

    @Override
    public void onPresenceChange(ChannelName channel, ClientInfo client, boolean join) {
        LocalChannel lc = channels.get(channel);
        if (lc == null) {
            return;
        }
        byte[] frame = Frames.presenceChange(join, channel, client);
        lc.byThread.values().forEach(group -> group.forEach(s -> s.deliverPresenceChange(channel, frame)));
    }

    @Override
    public void onControl(ControlCommand command) {
        applyControl(command);
    }

    /**
     * Applies a control command to this node's matching connections and returns how many there were.
     */
    public int applyControl(ControlCommand command) {
        List<Subscriber> targets = targets(command.user(), command.client());
        for (Subscriber s : targets) {
            s.control(command);
        }
        return targets.size();
    }

    private List<Subscriber> targets(String user, String client) {
        if (client != null) {
            Subscriber s = clients.get(client);
            return s == null ? List.of() : List.of(s);
        }
        Set<Subscriber> set = users.get(user);
        return set == null ? List.of() : new ArrayList<>(set);
    }

    /** Channels with local subscribers, with their counts, sorted by name; {@code pattern} may be null. */
    public Map<ChannelName, Integer> channels(ChannelPattern pattern) {
        Map<ChannelName, Integer> out = new TreeMap<>();
        channels.forEach((name, lc) -> {
            int n;
            synchronized (lc) {
                n = lc.size;
            }
            if (n > 0 && (pattern == null || pattern.matches(name))) {
                out.put(name, n);
            }
        });
        return out;
    }

    /** Publishes pass this gate; a draining node closes it. */
    public PublishGate publishGate() {
        return publishGate;
    }

    public int connectionCount() {
        return clients.size();
    }

    public long subscriptionCount() {
        return subscriptionCount.get();
    }

    public int channelCount() {
        return channels.size();
    }
}
