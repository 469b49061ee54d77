package io.herald.session;

import io.herald.config.NamespaceConfig;
import io.herald.hub.ChannelMember;
import io.herald.protocol.ChannelName;
import io.herald.protocol.Publication;
import io.herald.protocol.StreamPosition;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * One channel of one connection. Until it is live, publications are buffered; once live, each
 * publication is checked against the last delivered offset so the client sees every offset once,
 * in order. It is also the connection's member of the channel in the hub, so the hub hands it
 * publications directly. Owned by the connection's thread; not thread-safe.
 */
final class Subscription extends ChannelMember {
    /** Publications buffered while the subscription is being set up, before it is dropped as stale. */
    static final int MAX_PENDING = 10_000;

    enum Verdict { DELIVER, DUPLICATE, GAP }

    private final ChannelCommands owner;
    final ChannelName channel;
    final NamespaceConfig namespace;
    /** True for subscriptions the server made (token {@code subscribe} claim, server API). */
    final boolean serverSide;
    private ArrayDeque<Publication> pending = new ArrayDeque<>();
    private boolean overflowed;
    private long offset;
    private String epoch;
    boolean inPresence;

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
        return pending == null;
    }

    /** Buffers a publication that arrived before the subscription went live. */
    void hold(Publication p) {
        if (pending.size() >= MAX_PENDING) {
            overflowed = true;
            pending.clear();
        } else if (!overflowed) {
            pending.addLast(p);
        }
    }

    /** Something may be missing from the buffer: going live ends the subscription instead. */
    void markGap() {
        overflowed = true;
        pending.clear();
    }

    /**
     * Makes the subscription live at {@code position} and returns the buffered publications to check
     * with {@link #check}, or null when the buffer overflowed (a gap cannot be ruled out).
     */
    ArrayDeque<Publication> goLive(StreamPosition position) {
        offset = position.offset();
        epoch = position.epoch();
        ArrayDeque<Publication> held = overflowed ? null : pending;
        pending = null;
        return held;
    }

    /** Decides whether a live publication is the next one, a duplicate, or proof of a gap. */
    Verdict check(Publication p) {
        if (!p.epoch().equals(epoch) || p.offset() > offset + 1) {
            return Verdict.GAP;
        }
        if (p.offset() <= offset) {
            return Verdict.DUPLICATE;
        }
        offset = p.offset();
        return Verdict.DELIVER;
    }

    StreamPosition position() {
        return new StreamPosition(offset, epoch);
    }
}
