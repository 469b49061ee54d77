package io.herald.session;

import io.herald.config.NamespaceConfig;
import io.herald.hub.ChannelMember;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.Publication;
import io.herald.protocol.StreamPosition;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * One channel of one connection. Until it is live, publications wait in its {@link Backlog}; once
 * live, each publication is checked against the last delivered offset ({@link NextOffset}) so the
 * client sees every offset once, in order. It is also the connection's member of the channel in the
 * hub, so the hub hands it publications directly. Owned by the connection's thread; not thread-safe.
 */
final class Subscription extends ChannelMember {
    /** Publications held while the subscription is not live, before they are dropped (see {@link #hold}). */
    static final int MAX_PENDING = 10_000;

    /**
     * What arrives while the subscription is being set up or its recovery is being replayed: held
     * publications in order, at most {@link #MAX_PENDING} of them and {@code max_queue_bytes} of frames.
     * Past that they are dropped and {@link #skipped} names the newest one dropped, which the replay
     * then reads from history instead. One object per subscription that is not live.
     */
    private static final class Backlog {
        final ArrayDeque<Publication> items = new ArrayDeque<>();
        long bytes;
        /** The newest publication dropped for want of room, or null. */
        StreamPosition skipped;
        /** The node may have missed a publication: the subscription cannot go live. */
        boolean gap;
    }

    private final ChannelCommands owner;
    final ChannelName channel;
    final NamespaceConfig namespace;
    /** True for subscriptions the server made (token {@code subscribe} claim, server API). */
    final boolean serverSide;
    /** Null once live: the live path tests only this. */
    private Backlog backlog = new Backlog();
    private long offset;
    private String epoch;
    boolean inPresence;
    /** True when the subscribe proxy admitted it (the claims may not allow it; a refresh keeps it). */
    boolean proxyAdmitted;
    /** How presence shows this connection in this channel (the subscribe proxy's {@code info}); null: the connection's own. */
    ClientInfo presenceInfo;

    Subscription(ChannelCommands owner, ChannelName channel, NamespaceConfig namespace, boolean serverSide) {
        this.owner = owner;
        this.channel = channel;
        this.namespace = namespace;
        this.serverSide = serverSide;
    }

    @Override
    public Executor executor() {
        return owner.executor();
    }

    @Override
    public boolean onPublication(Publication p) {
        return owner.onPublication(this, p);
    }

    @Override
    public void onPresenceChange(byte[] frame) {
        owner.onPresenceChange(this, frame);
    }

    @Override
    public void onDeliveryInterrupted() {
        owner.onDeliveryInterrupted(this);
    }

    boolean isLive() {
        return backlog == null;
    }

    /**
     * Holds a publication that arrived before the subscription went live. When the backlog is full it
     * is emptied and the publication recorded as {@link #skipped()}: everything up to it is in history.
     */
    void hold(Publication p, long maxBytes) {
        Backlog b = backlog;
        if (b.gap) {
            return;
        }
        int size = p.frame().length;
        if (b.items.size() >= MAX_PENDING || b.bytes + size > maxBytes) {
            b.items.clear();
            b.bytes = 0;
            b.skipped = p.position();
            return;
        }
        b.items.addLast(p);
        b.bytes += size;
    }

    /** The oldest held publication, removed, or null when none is held. */
    Publication nextHeld() {
        Publication p = backlog.items.pollFirst();
        if (p != null) {
            backlog.bytes -= p.frame().length;
        }
        return p;
    }

    /** The newest publication dropped from the backlog (it must come from history), or null. */
    StreamPosition skipped() {
        return backlog.skipped;
    }

    /** Something may be missing from the backlog: the subscription ends instead of going live. */
    void markGap() {
        backlog.gap = true;
        backlog.items.clear();
        backlog.bytes = 0;
    }

    boolean hasGap() {
        return backlog.gap;
    }

    /** True when nothing is held, dropped or missing: going live at the start position needs no replay. */
    boolean backlogIsPlain() {
        return backlog.skipped == null && !backlog.gap;
    }

    /**
     * Makes the subscription live at {@code position} and returns the held publications to check with
     * {@link #check}, or null when a gap cannot be ruled out. The caller has made sure that what was
     * {@link #skipped()} is at or below {@code position}.
     */
    ArrayDeque<Publication> goLive(StreamPosition position) {
        offset = position.offset();
        epoch = position.epoch();
        Backlog b = backlog;
        backlog = null;
        return b.gap ? null : b.items;
    }

    /** Decides whether a live publication is the next one (the last delivered from then on), a duplicate, or a gap. */
    NextOffset check(Publication p) {
        NextOffset v = NextOffset.of(offset, epoch, p);
        if (v == NextOffset.NEXT) {
            offset = p.offset();
        }
        return v;
    }

    StreamPosition position() {
        return new StreamPosition(offset, epoch);
    }
}
