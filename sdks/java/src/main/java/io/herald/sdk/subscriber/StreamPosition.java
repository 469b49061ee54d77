package io.herald.sdk.subscriber;

/** A position in a channel's stream: the last offset seen within an epoch. */
public record StreamPosition(long offset, String epoch) {
}
