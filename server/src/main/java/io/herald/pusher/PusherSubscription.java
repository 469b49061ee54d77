package io.herald.pusher;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.hub.ChannelMember;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.Publication;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * One Pusher channel of one connection, and its member of the hub channel. Until
 * {@code pusher_internal:subscription_succeeded} is out, what the hub hands it (publications, presence
 * changes) is held in arrival order; then it goes live. On a presence channel it keeps the channel's
 * members by user id, each with the connections (on any node) that make it a member, built from the
 * presence snapshot and then the per-connection joins and leaves the hub delivers: a user's first
 * connection is one {@code member_added}, its last one gone one {@code member_removed}, however many
 * tabs and nodes it is on. Owned by the connection's thread; not thread-safe.
 */
final class PusherSubscription extends ChannelMember {
    /** Publications and presence changes held while subscribing before the subscription gives up. */
    static final int MAX_HELD = 10_000;

    /** One encoded publication per thread: every subscriber of a channel on that thread shares its bytes. */
    private static final ThreadLocal<Encoded> LAST = ThreadLocal.withInitial(Encoded::new);

    private static final class Encoded {
        Publication publication;
        String channel;
        byte[] frame;
    }

    /** A user in a presence channel: the connections that make it one, and its info. */
    private static final class Member {
        final Set<String> clients = new HashSet<>(2);
        JsonNode info;
    }

    private record Change(ClientInfo client, boolean join) {
    }

    private final PusherChannels owner;
    final PusherChannel channel;
    /** How this connection shows in a presence channel; null on other channels. */
    final ClientInfo self;
    /** Null once live. */
    private ArrayDeque<Object> held = new ArrayDeque<>();
    /** More arrived while subscribing than {@link #MAX_HELD}: the subscription cannot start. */
    private boolean overflowed;
    /** A presence channel's members by user id, in the order they came; null elsewhere and until the snapshot. */
    private Map<String, Member> members;
    /** True once this connection's own presence entry was added (and must be removed at the end). */
    boolean inPresence;
    /** The cached event replayed to a cache channel's subscriber; live copies of it, or older, are skipped. */
    private String replayedEpoch;
    private long replayedOffset;

    PusherSubscription(PusherChannels owner, PusherChannel channel, ClientInfo self) {
        this.owner = owner;
        this.channel = channel;
        this.self = self;
    }

    @Override
    public Executor executor() {
        return owner.executor();
    }

    boolean isLive() {
        return held == null;
    }

    boolean overflowed() {
        return overflowed;
    }

    @Override
    public boolean onPublication(Publication p) {
        if (!owner.isOpen() || p.excludes(owner.socketId())) {
            return false;
        }
        if (held != null) {
            hold(p);
            return false;
        }
        return deliver(p);
    }

    @Override
    public void onPresenceChange(byte[] frame) {
        // the Pusher frames are per user, built from the client in the other callback
    }

    @Override
    public void onPresenceChange(ClientInfo client, boolean join, byte[] frame) {
        if (channel.type() != PusherChannelType.PRESENCE || !owner.isOpen()) {
            return;
        }
        if (held != null) {
            hold(new Change(client, join));
        } else {
            apply(client, join);
        }
    }

    /** Pusher is at most once: a node that may have missed publications has nothing to resend them from. */
    @Override
    public void onDeliveryInterrupted() {
    }

    private void hold(Object item) {
        if (held.size() >= MAX_HELD) {
            overflowed = true;
            held.clear();
            return;
        }
        if (!overflowed) {
            held.addLast(item);
        }
    }

    /** Sends a publication unless it is the replayed cached event or older. */
    boolean deliver(Publication p) {
        if (replayedEpoch != null && replayedEpoch.equals(p.epoch()) && p.offset() <= replayedOffset) {
            return false;
        }
        owner.sendShared(frameOf(p));
        return true;
    }

    /** The cache channel's last event was sent: live copies of it are skipped. */
    void replayed(Publication p) {
        replayedEpoch = p.epoch();
        replayedOffset = p.offset();
    }

    private byte[] frameOf(Publication p) {
        Encoded last = LAST.get();
        if (last.publication != p || !channel.name().equals(last.channel)) {
            last.frame = PusherFrames.publication(p, channel.name(), channel.type() == PusherChannelType.PRESENCE);
            last.publication = p;
            last.channel = channel.name();
        }
        return last.frame;
    }

    /**
     * The members from the presence snapshot plus this connection, by user id with each user's info;
     * what {@code subscription_succeeded} lists.
     */
    Map<String, JsonNode> startMembers(List<ClientInfo> snapshot) {
        members = new LinkedHashMap<>();
        for (ClientInfo c : snapshot) {
            add(c);
        }
        add(self);
        return memberInfos();
    }

    /** The users the snapshot plus this connection would make, without keeping anything (the members limit). */
    static int usersWith(List<ClientInfo> snapshot, ClientInfo self) {
        Set<String> users = new HashSet<>();
        snapshot.forEach(c -> users.add(c.user()));
        users.add(self.user());
        return users.size();
    }

    /** The current members by user id with their info. */
    Map<String, JsonNode> memberInfos() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        members.forEach((id, m) -> out.put(id, m.info));
        return out;
    }

    /** Goes live: what was held is handled in arrival order. */
    void goLive() {
        ArrayDeque<Object> items = held;
        held = null;
        for (Object item : items) {
            if (item instanceof Publication p) {
                deliver(p);
            } else if (item instanceof Change c && members != null) {
                apply(c.client(), c.join());
            }
        }
    }

    /** Adds a connection to its user; true when the user was not a member before. */
    private boolean add(ClientInfo c) {
        Member m = members.computeIfAbsent(c.user(), u -> new Member());
        boolean added = m.clients.isEmpty();
        m.clients.add(c.client());
        if (c.info() != null || added) {
            m.info = c.info();
        }
        return added;
    }

    private void apply(ClientInfo c, boolean join) {
        if (join) {
            if (add(c)) {
                owner.send(PusherFrames.memberAdded(channel.name(), c.user(), c.info()));
            }
            return;
        }
        Member m = members.get(c.user());
        if (m != null && m.clients.remove(c.client()) && m.clients.isEmpty()) {
            members.remove(c.user());
            owner.send(PusherFrames.memberRemoved(channel.name(), c.user()));
        }
    }
}
