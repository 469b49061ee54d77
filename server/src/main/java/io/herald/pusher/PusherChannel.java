package io.herald.pusher;

import io.herald.protocol.ChannelName;

/**
 * A Pusher channel of one app and the hub channel it is. Immutable.
 *
 * @param name   the name as Pusher clients and server SDKs spell it
 * @param type   its kind, from the prefix
 * @param cache  whether it is a cache channel ({@code cache-}, {@code private-cache-}, …): a new
 *               subscriber gets the last event, or {@code pusher:cache_miss}
 * @param hub    the hub channel: where its publications, presence and history live
 * @param userId for a {@link PusherChannelType#USER} channel, the user it belongs to; else null
 */
public record PusherChannel(String name, PusherChannelType type, boolean cache, ChannelName hub, String userId) {
}
