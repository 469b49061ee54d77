package io.herald.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A publication accepted into a channel, with its push frame encoded exactly once; the same
 * bytes go to every subscriber and into history replies. Immutable; the {@code frame} array
 * must never be modified.
 *
 * @param user the publishing user for client publications, else null
 */
public record Publication(ChannelName channel, String event, long offset, String epoch, long timestampMillis,
                          String user, byte[] frame) {

    public StreamPosition position() {
        return new StreamPosition(offset, epoch);
    }

    /** The frame as text, for embedding into replies that list publications. */
    public String frameText() {
        return new String(frame, StandardCharsets.UTF_8);
    }
}
