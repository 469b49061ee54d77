package io.herald.engine.redis;

import io.herald.protocol.ChannelName;

/**
 * Names of Herald's keys and pub/sub channels in Redis. Every per-channel name carries the channel
 * in a hash tag ({@code herald:{chat:1}:s}), so in a Redis Cluster a channel's stream, history,
 * idempotency keys, presence and sharded pub/sub channel all live in one slot, which the publish
 * script needs (it touches them atomically) and sharded pub/sub uses to pick the shard. Channel
 * names cannot contain braces, so the tag is always exactly the channel. Immutable.
 */
record RedisKeys(String prefix) {

    /** Hash {epoch, top}: the channel's offset counter and its epoch. */
    String stream(ChannelName channel) {
        return tagged(channel) + ":s";
    }

    /** List of held publications, oldest first. */
    String history(ChannelName channel) {
        return tagged(channel) + ":h";
    }

    String idempotency(ChannelName channel, String key) {
        return tagged(channel) + ":i:" + key;
    }

    /** The pub/sub channel carrying the channel's publications and joins/leaves to subscribed nodes. */
    String fanout(ChannelName channel) {
        return tagged(channel) + ":f";
    }

    /** The channel a {@link #fanout} name belongs to, or null for a name that is not one. */
    ChannelName channelOfFanout(String name) {
        String head = prefix + ":{";
        if (!name.startsWith(head) || !name.endsWith("}:f")) {
            return null;
        }
        String value = name.substring(head.length(), name.length() - 3);
        return ChannelName.problem(value) == null ? new ChannelName(value) : null;
    }

    /** Hash client id → info JSON. */
    String presence(ChannelName channel) {
        return tagged(channel) + ":p";
    }

    /** Sorted set client id → expiry time. */
    String presenceExpiry(ChannelName channel) {
        return tagged(channel) + ":pe";
    }

    /**
     * Hash {epoch, start}: the era of the channel's Redis Cluster slot, the epoch channels of the slot
     * report while they have no stream. One per slot, not per channel, so naming channels adds no
     * key; its hash tag is a short name in the same slot as the channel's (see {@link RedisSlots}).
     */
    String era(ChannelName channel) {
        return prefix + ":{" + RedisSlots.tagOf(channel.value()) + "}:era";
    }

    /** Pub/sub channel of control commands, heard by every node. */
    String control() {
        return prefix + ":control";
    }

    /** Hash node id → load JSON. */
    String nodes() {
        return prefix + ":{nodes}";
    }

    /** Sorted set node id → time its announcement expires. */
    String nodesAlive() {
        return prefix + ":{nodes}:alive";
    }

    /**
     * The base name of the webhook and cluster-presence state ({@link RedisHookStore}): one hash tag
     * for all of it, so each of its steps is one atomic script.
     */
    String hooks() {
        return prefix + ":{wh}";
    }

    private String tagged(ChannelName channel) {
        return prefix + ":{" + channel.value() + "}";
    }
}
