package io.herald.sdk;

import java.util.List;

/** A page of a channel's held publications, ascending by offset, and the channel's position. */
public record HistoryResult(List<Publication> publications, long offset, String epoch, boolean recovered) {
    public HistoryResult {
        publications = List.copyOf(publications);
    }
}
