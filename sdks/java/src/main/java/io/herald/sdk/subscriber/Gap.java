package io.herald.sdk.subscriber;

/**
 * Publications between {@code from} and {@code to} will not be delivered: the app must refetch
 * the channel's state. Reported before any publication after the hole.
 */
public record Gap(String channel, Reason reason, StreamPosition from, StreamPosition to) {
    public enum Reason {
        /** The server answered {@code recovered:false} to a resubscribe (history lost or expired, a new epoch). */
        NOT_RECOVERED,
        /** An offset was skipped in the stream itself. */
        OFFSET_JUMP,
        /** A publication of another epoch arrived. */
        EPOCH_CHANGED
    }
}
