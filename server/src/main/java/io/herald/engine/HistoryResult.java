package io.herald.engine;

import io.herald.protocol.Publication;
import io.herald.protocol.StreamPosition;
import java.util.List;

/**
 * A history read.
 *
 * @param publications in ascending offset order
 * @param position     the channel's current position (last offset and epoch)
 * @param recovered    with a {@code since}: true when its epoch is current, its offset is not ahead of
 *                     the channel, and every publication after it is still held (the list then starts
 *                     right after it); without one: always true
 */
public record HistoryResult(List<Publication> publications, StreamPosition position, boolean recovered) {
    public HistoryResult {
        publications = List.copyOf(publications);
    }
}
