package io.herald.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A publication accepted into a channel, with its push frame encoded exactly once; the same
 * bytes go to every subscriber and into history replies. Immutable; the {@code frame} array
 * must never be modified.
 *
 * @param user    the publishing user for client publications, else null
 * @param exclude the id of the one connection that must not receive it (a Pusher {@code socket_id}
 *                given to the HTTP API, or the sender of a Pusher client event), else null; it travels
 *                with the publication to every node and into history, and each subscriber whose
 *                connection has that id skips it (connections without such an id never match)
 */
public record Publication(ChannelName channel, String event, long offset, String epoch, long timestampMillis,
                          String user, String exclude, byte[] frame) {

    /** A publication every subscriber receives. */
    public Publication(ChannelName channel, String event, long offset, String epoch, long timestampMillis,
                       String user, byte[] frame) {
        this(channel, event, offset, epoch, timestampMillis, user, null, frame);
    }

    public StreamPosition position() {
        return new StreamPosition(offset, epoch);
    }

    /** The frame as text, for embedding into replies that list publications. */
    public String frameText() {
        return new String(frame, StandardCharsets.UTF_8);
    }
}
