package io.herald.protocol;

/**
 * A position in a channel's stream: the offset of a publication (0 before the first) and the
 * epoch of the offset counter it belongs to.
 */
public record StreamPosition(long offset, String epoch) {
    public StreamPosition {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0");
        }
        if (epoch == null) {
            throw new IllegalArgumentException("epoch is required");
        }
    }
}
