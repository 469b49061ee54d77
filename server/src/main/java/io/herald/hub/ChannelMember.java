package io.herald.hub;

import io.herald.protocol.ClientInfo;
import io.herald.protocol.Publication;
import java.util.concurrent.Executor;

/**
 * One connection's membership of one channel, as the hub holds it. The hub keeps members in arrays
 * per channel and owning thread, so delivering a publication is an array walk with no lookup per
 * member. Each member belongs to at most one channel at a time.
 *
 * <p>Thread rules: {@link Hub#addSubscriber} and {@link Hub#removeSubscriber} must be called on the
 * member's {@link #executor()}, which also runs every callback below; the hub's bookkeeping fields
 * here are owned by that thread.
 */
public abstract class ChannelMember {
    /** The group holding this member, or null when it is in none. Owned by the executor's thread. */
    Hub.Group group;
    /** Index in {@code group}'s array while in a group. Owned by the executor's thread. */
    int slot = -1;

    /** The thread that owns this member; the same executor every time. */
    public abstract Executor executor();

    /**
     * A publication of the member's channel, in offset order. The callback may remove this member
     * (and only this one) from the hub. Returns true when the publication was written to the client.
     */
    public abstract boolean onPublication(Publication publication);

    /** A join or leave push of the member's channel, already encoded. */
    public abstract void onPresenceChange(byte[] frame);

    /**
     * A join ({@code join = true}) or leave of {@code client}, with its push already encoded as
     * {@code frame}. Members that speak another protocol (Pusher's per-user member events) read the
     * client; the default hands the frame to {@link #onPresenceChange(byte[])}.
     */
    public void onPresenceChange(ClientInfo client, boolean join, byte[] frame) {
        onPresenceChange(frame);
    }

    /**
     * The node may have missed publications of the member's channel (its engine connection was lost
     * and is back): the member must resynchronise, typically by ending its subscription with
     * {@code insufficient_state}. The callback may remove this member (and only this one).
     */
    public abstract void onDeliveryInterrupted();
}
