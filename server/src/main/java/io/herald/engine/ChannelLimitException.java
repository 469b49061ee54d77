package io.herald.engine;

import java.util.concurrent.CompletionException;

/**
 * A channel that has no state on this node could not be given any: the node already holds state for
 * {@code limits.max_channels} channels. Nothing was done; channels that have state keep working.
 * Callers answer {@code limit_exceeded}.
 */
public final class ChannelLimitException extends RuntimeException {
    public ChannelLimitException(int limit) {
        super("this node holds state for its limit of " + limit + " channels (limits.max_channels); "
                + "a new channel can be used once others are gone", null, false, false);
    }

    /** The refusal a failed publish or subscribe carries, or null when it failed otherwise (or did not). */
    public static ChannelLimitException in(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause instanceof ChannelLimitException e ? e : null;
    }
}
