package io.herald.hub;

import io.herald.metrics.RateLimit;
import io.herald.engine.Broker;
import io.herald.engine.BrokerListener;
import io.herald.engine.ChannelLimitException;
import io.herald.engine.ControlCommand;
import io.herald.metrics.HeraldMetrics;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ChannelPattern;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.Frames;
import io.herald.protocol.Publication;
import java.util.ArrayList;
import java.util.Arrays;
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
 * what the broker delivers to the local subscribers. A channel is in its map only while it has
 * local members: the last one out removes it, so naming channels leaves nothing behind. At most
 * {@code maxChannels} channels have members at a time (0 = no limit). Thread-safe.
 */
public final class Hub implements BrokerListener {
    private final Broker broker;
    private final ConcurrentHashMap<ChannelName, LocalChannel> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Subscriber> clients = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Subscriber>> users = new ConcurrentHashMap<>();
    private final AtomicLong subscriptionCount = new AtomicLong();
    private final PublishGate publishGate = new PublishGate();
    /** Set before the node serves (see {@link #observe}); read under channel locks. */
    private volatile ChannelObserver observer = ChannelObserver.NONE;

    /**
     * The members of one channel, grouped by the thread that owns them, so a publication costs one
     * task per thread rather than one per member. Membership changes and broker calls happen under
     * its monitor; delivery reads {@link #groups} without it.
     */
    private static final class LocalChannel {
        /** Replaced, never modified, under the monitor: delivery reads it without locking. */
        volatile Group[] groups = NO_GROUPS;
        /** Guarded by this. */
        int size;
        /** Completes when the node's broker subscription is in effect. Guarded by this. */
        CompletableFuture<Void> brokerSubscription;
        /** Set when the channel was removed from the map; adders must then retry. Guarded by this. */
        boolean removed;

        /** The group of {@code executor}, created when missing. Called under the monitor. */
        Group groupOf(Executor executor) {
            Group[] current = groups;
            for (Group g : current) {
                if (g.executor == executor) {
                    return g;
                }
            }
            Group g = new Group(executor);
            Group[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = g;
            groups = next;
            return g;
        }

        /** Drops an emptied group. Called under the monitor. */
        void dropGroup(Group g) {
            Group[] current = groups;
            Group[] next = new Group[current.length - 1];
            int n = 0;
            for (Group other : current) {
                if (other != g) {
                    next[n++] = other;
                }
            }
            groups = next;
        }
    }

    private static final Group[] NO_GROUPS = new Group[0];

    /**
     * The members of one channel owned by one thread. The array is read and changed on that thread
     * only (changes also happen under the channel's monitor, for the channel's count), so delivery
     * walks it without locks. Removal moves the last member into the freed slot.
     */
    static final class Group {
        final Executor executor;
        /** Owned by {@link #executor}'s thread. */
        private ChannelMember[] members = new ChannelMember[1];
        /** Owned by {@link #executor}'s thread. */
        private int size;

        Group(Executor executor) {
            this.executor = executor;
        }

        void add(ChannelMember m) {
            if (size == members.length) {
                members = Arrays.copyOf(members, size * 2);
            }
            m.group = this;
            m.slot = size;
            members[size++] = m;
        }

        void remove(ChannelMember m) {
            int i = m.slot;
            ChannelMember last = members[--size];
            members[i] = last;
            last.slot = i;
            members[size] = null;
            m.group = null;
            m.slot = -1;
            if (members.length > 8 && size < members.length / 4) {
                members = Arrays.copyOf(members, members.length / 2);
            }
        }

        /**
         * Hands the publication to every member, last first: a member may remove itself during its
         * callback, which moves an already visited member into its slot.
         */
        int deliver(Publication p) {
            int written = 0;
            for (int i = size - 1; i >= 0; i--) {
                if (i < size && members[i].onPublication(p)) {
                    written++;
                }
            }
            return written;
        }

        /** Tells every member, last first: each typically removes itself (see {@link #deliver}). */
        void deliveryInterrupted() {
            for (int i = size - 1; i >= 0; i--) {
                if (i < size) {
                    members[i].onDeliveryInterrupted();
                }
            }
        }

        void presenceChange(ClientInfo client, boolean join, byte[] frame) {
            for (int i = size - 1; i >= 0; i--) {
                if (i < size) {
                    members[i].onPresenceChange(client, join, frame);
                }
            }
        }
    }

    private final HeraldMetrics metrics;
    private final int maxChannels;

    /** @param maxChannels channels that may have local members at a time (0 = no limit) */
    public Hub(Broker broker, HeraldMetrics metrics, int maxChannels) {
        this.broker = broker;
        this.metrics = metrics;
        this.maxChannels = maxChannels;
        broker.start(this);
    }

    /** Sets who is told of channels gaining their first and losing their last member; before the node serves. */
    public void observe(ChannelObserver o) {
        observer = o;
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
     * Adds {@code m} to the channel; call on {@code m.executor()}. The future completes once the node
     * receives the channel's publications, so a stream position read after it misses nothing. Adding
     * a member that is already in the channel changes nothing. A channel without members while
     * {@code maxChannels} others have some is refused: the future fails with
     * {@link ChannelLimitException} and the member is not added.
     */
    public CompletableFuture<Void> addSubscriber(ChannelName channel, ChannelMember m) {
        while (true) {
            LocalChannel lc = channels.computeIfAbsent(channel, c -> maxChannels > 0 && channels.size() >= maxChannels
                    ? null : new LocalChannel());
            if (lc == null) {
                metrics.rateLimited(RateLimit.MAX_CHANNELS);
                return CompletableFuture.failedFuture(new ChannelLimitException(maxChannels));
            }
            synchronized (lc) {
                if (lc.removed) {
                    continue;
                }
                if (m.group == null) {
                    lc.groupOf(m.executor()).add(m);
                    lc.size++;
                    subscriptionCount.incrementAndGet();
                }
                if (lc.brokerSubscription == null) {
                    lc.brokerSubscription = broker.subscribe(channel);
                    observer.occupied(channel);
                }
                return lc.brokerSubscription;
            }
        }
    }

    /**
     * Removes {@code m} from the channel; call on {@code m.executor()}. The last one out ends the
     * node's broker subscription.
     */
    public void removeSubscriber(ChannelName channel, ChannelMember m) {
        Group g = m.group;
        LocalChannel lc = channels.get(channel);
        if (g == null || lc == null) {
            return;
        }
        synchronized (lc) {
            g.remove(m);
            if (g.size == 0) {
                lc.dropGroup(g);
            }
            lc.size--;
            subscriptionCount.decrementAndGet();
            if (lc.size == 0) {
                lc.removed = true;
                // before leaving the map: a new entry for the channel subscribes after this unsubscribe
                broker.unsubscribe(channel);
                observer.vacated(channel);
                channels.remove(channel, lc);
            }
        }
    }

    /**
     * Hands the publication to each thread that owns members of its channel, as one task per thread.
     * Called for each channel in offset order (the engine's contract), and each thread's task queue
     * is FIFO, so every member sees the channel's publications in order.
     */
    @Override
    public void onPublication(Publication publication) {
        LocalChannel lc = channels.get(publication.channel());
        if (lc == null) {
            return;
        }
        for (Group g : lc.groups) {
            g.executor.execute(() -> {
                int written = g.deliver(publication);
                if (written > 0) {
                    metrics.deliveries(written, publication.timestampMillis());
                }
            });
        }
    }

    @Override
    public void onPresenceChange(ChannelName channel, ClientInfo client, boolean join) {
        LocalChannel lc = channels.get(channel);
        if (lc == null) {
            return;
        }
        byte[] frame = Frames.presenceChange(join, channel, client);
        for (Group g : lc.groups) {
            g.executor.execute(() -> g.presenceChange(client, join, frame));
        }
    }

    /** Every local member of the channel resynchronises, each on its own thread. */
    @Override
    public void onDeliveryInterrupted(ChannelName channel) {
        LocalChannel lc = channels.get(channel);
        if (lc == null) {
            return;
        }
        for (Group g : lc.groups) {
            g.executor.execute(g::deliveryInterrupted);
        }
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

    /** This node's connections of {@code user} or (when {@code user} is null) of {@code client}. */
    public List<Subscriber> find(String user, String client) {
        return targets(user, client);
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

    /** Members of {@code channel} on this node (0 when it has none). */
    public int subscribers(ChannelName channel) {
        LocalChannel lc = channels.get(channel);
        if (lc == null) {
            return 0;
        }
        synchronized (lc) {
            return lc.size;
        }
    }

    /** Publishes pass this gate; a draining node closes it. */
    public PublishGate publishGate() {
        return publishGate;
    }

    public int connectionCount() {
        return clients.size();
    }

    /** Distinct users with a connection on this node (anonymous connections are not counted). */
    public int userCount() {
        return (int) users.keySet().stream().filter(u -> !u.isEmpty()).count();
    }

    public long subscriptionCount() {
        return subscriptionCount.get();
    }

    public int channelCount() {
        return channels.size();
    }
}
