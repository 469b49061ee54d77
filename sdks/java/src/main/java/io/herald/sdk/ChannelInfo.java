package io.herald.sdk;

/** A channel with subscribers on the answering node. */
public record ChannelInfo(String channel, long subscribers) {
}
