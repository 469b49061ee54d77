package io.herald.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A publication accepted into a channel, with its push frame encoded exactly once; the same
 * bytes go to every subscriber and into history replies. Immutable; the {@code frame} array
 * must never be modified.
 *
 * @param user          the publishing user for client publications, else null
 * @param excludeClient the client id of the one connection the publication is not delivered to (the
 *                      sender of a Pusher client event, a Pusher API {@code socket_id}), else null;
 *                      not part of the frame
 */
public record Publication(ChannelName channel, String event, long offset, String epoch, long timestampMillis,
                          String user, byte[] frame, String excludeClient) {

    /** A publication delivered to every subscriber. */
    public Publication(ChannelName channel, String event, long offset, String epoch, long timestampMillis,
                       String user, byte[] frame) {
        this(channel, event, offset, epoch, timestampMillis, user, frame, null);
    }

    /** Whether the connection with {@code clientId} is the one this publication skips. */
    public boolean excludes(String clientId) {
        return excludeClient != null && excludeClient.equals(clientId);
    }

    public StreamPosition position() {
        return new StreamPosition(offset, epoch);
    }

    /** The frame as text, for embedding into replies that list publications. */
    public String frameText() {
        return new String(frame, StandardCharsets.UTF_8);
    }
}
